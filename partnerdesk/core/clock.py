"""The one source of "now" for every time-dependent rule.

Services take an optional ``now`` and fall back to :func:`now`. In sandbox mode
(PARTNERDESK_SANDBOX=1) the time can be set, and every process reads it from the
database so the API, the console and the worker agree on what day it is.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.utils import timezone


def now() -> datetime:
    if settings.SANDBOX:
        from partnerdesk.core.models import SandboxClock

        row = SandboxClock.objects.filter(pk=1).only("now").first()
        if row is not None and row.now is not None:
            return row.now
    return timezone.now()


def set_sandbox_now(value: datetime | None) -> None:
    """Freeze the sandbox clock at ``value`` (None returns to real time)."""
    from partnerdesk.core.models import SandboxClock

    if value is not None and timezone.is_naive(value):
        raise ValueError("the sandbox clock needs an aware datetime")
    SandboxClock.objects.update_or_create(pk=1, defaults={"now": value})


def resolve(value: datetime | None) -> datetime:
    """The ``now`` a service was given, or the clock's."""
    if value is None:
        return now()
    if timezone.is_naive(value):
        raise ValueError("services need aware datetimes")
    return value
