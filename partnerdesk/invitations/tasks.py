from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from partnerdesk.invitations.services import invitations_expire


@db_periodic_task(crontab(minute="*/15"))
def expire_invitations() -> int:
    """Pending invitations past their expiry become ``expired`` (their links already
    fail at the deadline; this makes the lists say so)."""
    return invitations_expire()
