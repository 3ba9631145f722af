"""Calendar arithmetic for billing periods.

Traps this module exists for:
- Month ends: Jan 31 + 1 month is Feb 28 (29 in leap years), and the next month must
  go back to the 31st, not stay on the 28th. So periods are always computed from the
  subscription's *anchor* plus a count of months, never by adding a month to the
  previous period end (which would drift: 31 → 28 → 28 …).
- Leap years: Feb 29 + 12 months is Feb 28 of the next year.
- Time zones: all arithmetic is on aware UTC datetimes; the server's local zone never
  enters. Convert to a local date only for display.
"""

from __future__ import annotations

import calendar
from datetime import UTC, datetime, timedelta
from math import ceil


def _require_aware(value: datetime) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("period arithmetic needs aware datetimes")


def add_months(anchor: datetime, months: int) -> datetime:
    """``anchor`` moved by ``months`` calendar months, clamped to the month's last day."""
    _require_aware(anchor)
    anchor = anchor.astimezone(UTC)
    total = anchor.year * 12 + (anchor.month - 1) + months
    year, month = divmod(total, 12)
    month += 1
    day = min(anchor.day, calendar.monthrange(year, month)[1])
    return anchor.replace(year=year, month=month, day=day)


def next_period_end(anchor: datetime, after: datetime, term_months: int) -> datetime:
    """The first period boundary ``anchor + k * term`` strictly after ``after`` (k ≥ 1)."""
    _require_aware(after)
    k = 1
    # A jump estimate first, so a subscription renewed after a long gap costs no loop.
    elapsed = (after.year - anchor.year) * 12 + (after.month - anchor.month)
    if elapsed > term_months:
        k = max(1, elapsed // term_months - 1)
    while add_months(anchor, k * term_months) <= after:
        k += 1
    return add_months(anchor, k * term_months)


def remaining_whole_months(now: datetime, period_end: datetime) -> int:
    """Months left until ``period_end``, each started month counted in full.

    "50 days left → 2 months" (seed 004): counts how many calendar-month steps back
    from the period end are needed to reach ``now``. Returns 0 when the period is over.
    """
    _require_aware(now)
    _require_aware(period_end)
    if now >= period_end:
        return 0
    months = 0
    while add_months(period_end, -months) > now:
        months += 1
    return months


def remaining_days(now: datetime, period_end: datetime) -> int:
    """Days left until ``period_end``, a started day counted in full (for the daily policy)."""
    if now >= period_end:
        return 0
    return ceil((period_end - now) / timedelta(days=1))
