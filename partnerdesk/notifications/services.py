"""E-mail: render in the recipient's language, keep in the outbox, deliver after commit.

Every e-mail partnerdesk sends goes through :func:`email_enqueue` (allauth's too, see
accounts/adapters.py). Outbox bookkeeping runs on real time, not the sandbox clock: a
sandbox jump to next month must not hold back or flood the mail queue.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.db.models import Q
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string
from django.utils import timezone, translation

from partnerdesk.core.bulk import insert_rows, unsaved
from partnerdesk.notifications.models import OutboxEmail

logger = logging.getLogger(__name__)

LANGUAGES = ("en", "de", "nl")
# Wait after the n-th failed attempt; the last value repeats. A message is given up
# (status failed, kept for the back office) only after MAX_ATTEMPTS.
BACKOFF = [timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=2), timedelta(hours=6)]
MAX_ATTEMPTS = 20
CLAIM_FOR = timedelta(minutes=5)
SCRUBBED = "[removed after delivery: the message held a personal link]"


def _template(name: str, language: str, part: str) -> str:
    return f"notifications/email/{language}/{name}.{part}"


def render_email(*, template: str, context: dict, language: str) -> tuple[str, str, str]:
    """Subject, text body and HTML body of ``template`` in ``language`` (English when the
    template has no version in that language)."""
    language = language if language in LANGUAGES else "en"
    context = {"base_url": settings.BASE_URL, **context}
    with translation.override(language):
        try:
            subject = render_to_string(_template(template, language, "subject.txt"), context)
        except TemplateDoesNotExist:
            language = "en"
            subject = render_to_string(_template(template, language, "subject.txt"), context)
        text = render_to_string(_template(template, language, "txt"), context)
        html = render_to_string(_template(template, language, "html"), context)
    return " ".join(subject.split()), text.strip() + "\n", html.strip()


def email_enqueue(
    *, to: str, template: str, context: dict, language: str = "en", sensitive: bool = False
) -> OutboxEmail:
    """Render an e-mail into the outbox; it is delivered once the current transaction commits.

    Call it inside the service's transaction: a rolled-back change sends nothing, a
    committed one always ends up sent (the periodic retry picks up rows whose job was lost).
    ``sensitive``: the body holds a secret link; it is blanked once delivered.
    """
    subject, text, html = render_email(template=template, context=context, language=language)
    return outbox_add(
        to=to,
        subject=subject,
        body_text=text,
        body_html=html,
        template=template,
        language=language,
        sensitive=sensitive,
    )


# Templates whose context is built when the e-mail is sent: name -> function of
# (render_from, language) returning the context. Registered by the app that owns the data.
_RENDERERS: dict[str, Callable[[dict, str], dict]] = {}


def register_renderer(template: str, context_of: Callable[[dict, str], dict]) -> None:
    """Let e-mails of ``template`` be written unrendered (:func:`email_build_unrendered`)
    and rendered on delivery with the context ``context_of(render_from, language)``.
    Only for data that no longer changes (an issued invoice), so the e-mail says the same
    whenever it is rendered."""
    _RENDERERS[template] = context_of


def email_build_unrendered(*, to: str, template: str, render_from: dict, language: str = "en") -> OutboxEmail:
    """An unsaved outbox row rendered when it is sent: for changes made in bulk (the
    billing run), which store theirs with :func:`outbox_add_many` in the same transaction.
    Rendering thousands of e-mails inside the run would cost more than the run itself."""
    if template not in _RENDERERS:
        raise ValueError(f"no renderer registered for e-mail template {template!r}")
    now = timezone.now()
    return unsaved(
        OutboxEmail,
        template=template[:100],
        language=language,
        to=to,
        from_email=settings.DEFAULT_FROM_EMAIL,
        subject="",
        body_text="",
        render_from=render_from,
        created_at=now,
        next_attempt_at=now,
    )


def _render_now(row: OutboxEmail) -> None:
    """Render an unrendered row and keep the result (the outbox shows what was sent)."""
    context = _RENDERERS[row.template](row.render_from, row.language)
    subject, text, html = render_email(template=row.template, context=context, language=row.language)
    row.subject, row.body_text, row.body_html, row.render_from = subject[:300], text, html, None
    OutboxEmail.objects.filter(pk=row.pk).update(subject=row.subject, body_text=text, body_html=html, render_from=None)


def outbox_add_many(rows: list[OutboxEmail], *, keys: bool = True) -> list[OutboxEmail]:
    """Store many e-mails (rendered or not); one job delivers them after commit.

    ``keys=False`` (the billing run's thousands) inserts without reading the ids back,
    and the job after commit sends whatever is due in the outbox."""
    if not rows:
        return rows
    if not keys:
        insert_rows(rows)
        transaction.on_commit(lambda: _enqueue_many(None))
        return rows
    if transaction.get_connection().in_atomic_block:
        # The same rows as bulk_create, without compiling its statement: callers write these
        # inside a change's transaction (an invoice issued), while other writers wait.
        insert_rows(rows, returning_ids=True)
    else:
        rows = OutboxEmail.objects.bulk_create(rows)
    ids = [row.pk for row in rows]
    transaction.on_commit(lambda: _enqueue_many(ids))
    return rows


def _enqueue_many(ids: list[int] | None) -> None:
    from partnerdesk.notifications.tasks import deliver_emails

    try:
        deliver_emails(ids)
    except Exception:
        logger.exception("could not enqueue delivery of e-mails; the retry job will send them")


def outbox_add(
    *,
    to: str,
    subject: str,
    body_text: str,
    body_html: str = "",
    template: str = "",
    language: str = "en",
    sensitive: bool = False,
) -> OutboxEmail:
    """Store an already rendered e-mail and schedule its delivery after commit."""
    now = timezone.now()
    row = OutboxEmail.objects.create(
        template=template[:100],
        language=language,
        to=to,
        from_email=settings.DEFAULT_FROM_EMAIL,
        subject=subject[:300],
        body_text=body_text,
        body_html=body_html,
        sensitive=sensitive,
        created_at=now,
        next_attempt_at=now,
    )
    transaction.on_commit(lambda: _enqueue_delivery(row.pk))
    return row


def _enqueue_delivery(email_id: int) -> None:
    from partnerdesk.notifications.tasks import deliver_email

    try:
        deliver_email(email_id)
    except Exception:  # the queue is down: the outbox retry job will send it
        logger.exception("could not enqueue delivery of e-mail %s; the retry job will send it", email_id)


def _message_id(row: OutboxEmail) -> str:
    host = urlsplit(settings.BASE_URL).hostname or "partnerdesk"
    return f"<{row.public_id}@{host}>"


def _backoff(attempts: int) -> timedelta:
    return BACKOFF[min(attempts, len(BACKOFF)) - 1]


def outbox_deliver(*, email_id: int, now: datetime | None = None) -> bool:
    """Send one outbox e-mail if it is due and no other worker holds it. True when sent.

    Idempotent: a sent row is never sent again. The row is claimed (not locked) while the
    SMTP conversation runs, so no database transaction stays open during network I/O. The
    fixed Message-ID lets a receiver drop the rare duplicate of a crash between the
    server's acceptance and our bookkeeping.
    """
    now = now or timezone.now()
    claimed = (
        OutboxEmail.objects.filter(pk=email_id, status=OutboxEmail.Status.PENDING, next_attempt_at__lte=now)
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
        .update(claimed_until=now + CLAIM_FOR)
    )
    if not claimed:
        return False
    row = OutboxEmail.objects.get(pk=email_id)
    try:
        if row.render_from is not None:
            _render_now(row)
        message = EmailMultiAlternatives(
            subject=row.subject,
            body=row.body_text,
            from_email=row.from_email,
            to=[row.to],
            headers={"Message-ID": _message_id(row)},
        )
        if row.body_html:
            message.attach_alternative(row.body_html, "text/html")
        get_connection(fail_silently=False).send_messages([message])
    except Exception as error:
        attempts = row.attempts + 1
        gave_up = attempts >= MAX_ATTEMPTS
        OutboxEmail.objects.filter(pk=row.pk).update(
            attempts=attempts,
            claimed_until=None,
            last_error=f"{type(error).__name__}: {error}"[:2000],
            next_attempt_at=now + _backoff(attempts),
            status=OutboxEmail.Status.FAILED if gave_up else OutboxEmail.Status.PENDING,
        )
        logger.warning("e-mail %s to %s failed (attempt %s): %s", row.public_id, row.to, attempts, error)
        return False
    delivered: dict = {"status": OutboxEmail.Status.SENT, "sent_at": now, "attempts": row.attempts + 1}
    if row.sensitive:  # the link is in the recipient's inbox now; don't keep a usable copy
        delivered |= {"body_text": SCRUBBED, "body_html": ""}
    OutboxEmail.objects.filter(pk=row.pk).update(claimed_until=None, last_error="", **delivered)
    return True


def outbox_retry_due(*, now: datetime | None = None, limit: int = 200) -> int:
    """Deliver every pending e-mail whose next attempt is due. Returns how many were sent."""
    now = now or timezone.now()
    due = list(
        OutboxEmail.objects.filter(status=OutboxEmail.Status.PENDING, next_attempt_at__lte=now)
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
        .order_by("next_attempt_at", "id")
        .values_list("pk", flat=True)[:limit]
    )
    return sum(outbox_deliver(email_id=pk, now=now) for pk in due)
