from __future__ import annotations

import re

from partnerdesk.notifications.models import OutboxEmail

_TOKEN = re.compile(r"/invitations/([A-Za-z0-9_-]+)/")


def token_sent_to(email: str) -> str:
    """The token in the newest invitation e-mail to ``email``, read from the outbox
    (tests without an SMTP server: the e-mail is queued but not delivered)."""
    row = OutboxEmail.objects.filter(to=email).order_by("-id").first()
    assert row is not None, f"no e-mail to {email}"
    return _TOKEN.search(row.body_text).group(1)
