"""The one function that owns proration: what a seat added mid-term costs.

Policies (``Plan.proration_policy``):
- ``whole_months`` (default, seed 004): every started month of the rest of the term is
  charged in full: ``ceil(remaining months) x term price / term months``; 50 days left
  → 2 months.
- ``daily``: the exact share of days left: ``days left / days in the term x term price``,
  a started day counted in full.
- ``none``: nothing until the renewal, which bills the new seat count.

The charge per seat is never negative and never more than the full term price. Rounding
to the currency happens once, on the line amount (``price_seats``), never per seat.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from partnerdesk.core.money import quantize
from partnerdesk.core.periods import remaining_days, remaining_whole_months

WHOLE_MONTHS = "whole_months"
DAILY = "daily"
NONE = "none"


@dataclass(frozen=True)
class Proration:
    policy: str
    months: int | None  # months charged (whole_months)
    days: int | None  # days charged (daily)
    unit_price: Decimal  # per seat per month (whole_months) or per day (daily), unrounded
    per_seat: Decimal  # the charge for one seat, unrounded

    def amount(self, seats: int, currency: str) -> Decimal:
        """The line amount for ``seats`` extra seats, rounded once to the currency."""
        return quantize(self.per_seat * seats, currency)


def prorate(
    *,
    policy: str,
    term_price: Decimal,
    term_months: int,
    period_start: datetime,
    period_end: datetime,
    now: datetime,
) -> Proration:
    if not isinstance(term_price, Decimal) or term_price < 0:
        raise ValueError("the term price must be a non-negative Decimal")
    if period_end <= period_start:
        raise ValueError("a period must end after it starts")
    if policy == WHOLE_MONTHS:
        months = min(remaining_whole_months(max(now, period_start), period_end), term_months)
        unit = term_price / term_months
        return Proration(policy, months, None, unit, unit * months)
    if policy == DAILY:
        term_days = remaining_days(period_start, period_end)
        days = min(remaining_days(max(now, period_start), period_end), term_days)
        unit = term_price / term_days
        return Proration(policy, None, days, unit, term_price * days / term_days)
    if policy == NONE:
        return Proration(policy, 0, None, Decimal(0), Decimal(0))
    raise ValueError(f"unknown proration policy {policy!r}")
