from __future__ import annotations

import re

from django.core import mail

from partnerdesk.notifications.models import OutboxEmail

_TOKEN = re.compile(r"/invitations/([A-Za-z0-9_-]+)/")


def token_sent_to(email: str) -> str:
    """The token in the newest invitation e-mail to ``email``.

    Delivered mail is in Django's test mailbox (the outbox row's body is blanked once
    sent); in tests whose transaction never commits it is still queued in the outbox.
    """
    delivered = [message.body for message in mail.outbox if email in message.to]
    if delivered:
        return _TOKEN.search(delivered[-1]).group(1)
    row = OutboxEmail.objects.filter(to=email).order_by("-id").first()
    assert row is not None, f"no e-mail to {email}"
    return _TOKEN.search(row.body_text).group(1)
