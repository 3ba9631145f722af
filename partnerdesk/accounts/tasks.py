from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from partnerdesk.accounts.services import sessions_clear_expired


@db_periodic_task(crontab(hour="3", minute="30"))
def clear_expired_sessions() -> int:
    """Expired sessions are deleted once a day (what Django's ``clearsessions`` would do; its
    app is not installed: partnerdesk keeps sessions in its own table)."""
    return sessions_clear_expired()
