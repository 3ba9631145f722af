"""Jobs for e-mail delivery. Every job is idempotent: running it twice sends nothing twice."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from partnerdesk.notifications import services


@db_task()
def deliver_email(email_id: int) -> bool:
    return services.outbox_deliver(email_id=email_id)


@db_task()
def deliver_emails(email_ids: list[int] | None) -> int:
    """Many at once (the billing run's invoices): one job, not one per e-mail; ``None``:
    whatever is due in the outbox."""
    if email_ids is None:
        return services.outbox_retry_due()
    return sum(services.outbox_deliver(email_id=pk) for pk in email_ids)


@db_periodic_task(crontab(minute="*"))
def retry_outbox() -> int:
    """Send what failed before, or what was committed while the queue was unreachable."""
    return services.outbox_retry_due()
