from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from partnerdesk.billing.proration import prorate


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


START = utc(2026, 3, 10, 9, 30)
END = utc(2027, 3, 10, 9, 30)


def annual(now: datetime, policy: str = "whole_months", price: str = "120.00"):
    return prorate(
        policy=policy, term_price=Decimal(price), term_months=12, period_start=START, period_end=END, now=now
    )


def test_golden_50_days_left_on_an_annual_term_is_2_months():
    p = annual(END - timedelta(days=50))
    assert p.months == 2
    assert p.unit_price == Decimal(10)
    assert p.per_seat == Decimal(20)
    assert p.amount(3, "EUR") == Decimal("60.00")


@pytest.mark.parametrize(
    ("days_left", "months", "amount_for_one"),
    [(1, 1, "10.00"), (28, 1, "10.00"), (29, 2, "20.00"), (200, 7, "70.00"), (365, 12, "120.00")],
    ids=["1-day", "28-days-feb10-to-mar10", "29-days", "200-days", "whole-term"],
)
def test_whole_months_counts_every_started_month(days_left, months, amount_for_one):
    p = annual(END - timedelta(days=days_left))
    assert p.months == months
    assert p.amount(1, "EUR") == Decimal(amount_for_one)


def test_before_the_period_starts_it_is_never_more_than_the_full_term():
    p = annual(START - timedelta(days=10))
    assert (p.months, p.amount(1, "EUR")) == (12, Decimal("120.00"))


def test_after_the_period_ends_it_is_free():
    assert annual(END + timedelta(days=1)).amount(5, "EUR") == Decimal("0.00")


def test_daily_charges_the_share_of_days_left():
    # 365 days in the term; 50 days left → 120 x 50 / 365 = 16.438… per seat
    p = annual(END - timedelta(days=50), policy="daily")
    assert (p.months, p.days) == (None, 50)
    assert p.amount(1, "EUR") == Decimal("16.44")
    assert p.amount(3, "EUR") == Decimal("49.32")  # rounded once for the line, not per seat


def test_daily_counts_a_started_day_in_full():
    p = annual(END - timedelta(days=49, hours=1), policy="daily")
    assert p.days == 50


def test_none_charges_nothing_now():
    p = annual(END - timedelta(days=50), policy="none")
    assert p.amount(3, "EUR") == Decimal("0.00")


def test_monthly_term_with_jan_31_anchor():
    p = prorate(
        policy="whole_months",
        term_price=Decimal("12.00"),
        term_months=1,
        period_start=utc(2026, 1, 31),
        period_end=utc(2026, 2, 28),
        now=utc(2026, 2, 27),
    )
    assert (p.months, p.amount(2, "EUR")) == (1, Decimal("24.00"))


def test_zero_decimal_currency_rounds_to_whole_units():
    p = prorate(
        policy="daily",
        term_price=Decimal("10000"),
        term_months=12,
        period_start=START,
        period_end=END,
        now=END - timedelta(days=50),
    )
    assert p.amount(1, "JPY") == Decimal("1370")


def test_unknown_policy_and_floats_are_refused():
    with pytest.raises(ValueError):
        annual(START, policy="weekly")
    with pytest.raises(ValueError):
        prorate(policy="daily", term_price=120.0, term_months=12, period_start=START, period_end=END, now=START)
