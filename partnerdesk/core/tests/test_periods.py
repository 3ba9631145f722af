from datetime import UTC, datetime, timedelta, timezone

import pytest

from partnerdesk.core.periods import add_months, next_period_end, remaining_days, remaining_whole_months


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(
    ("anchor", "months", "expected"),
    [
        (utc(2026, 1, 31, 12), 1, utc(2026, 2, 28, 12)),
        (utc(2028, 1, 31, 12), 1, utc(2028, 2, 29, 12)),  # leap year
        (utc(2026, 1, 31, 12), 2, utc(2026, 3, 31, 12)),  # from the anchor: back to the 31st
        (utc(2028, 2, 29), 12, utc(2029, 2, 28)),  # leap day + a year
        (utc(2026, 12, 15), 1, utc(2027, 1, 15)),  # year boundary
        (utc(2026, 3, 31), -1, utc(2026, 2, 28)),
        (utc(2026, 5, 31), 12, utc(2027, 5, 31)),
    ],
    ids=["jan31+1", "jan31+1-leap", "jan31+2-no-drift", "leapday+12", "dec+1", "mar31-1", "annual"],
)
def test_add_months(anchor, months, expected):
    assert add_months(anchor, months) == expected


def test_monthly_periods_from_jan_31_do_not_drift_to_the_28th():
    anchor = utc(2026, 1, 31, 8)
    ends = [add_months(anchor, k) for k in range(1, 5)]
    assert [e.day for e in ends] == [28, 31, 30, 31]


def test_add_months_is_the_same_whatever_the_input_time_zone():
    berlin = timezone(timedelta(hours=1))
    local = datetime(2026, 2, 1, 0, 30, tzinfo=berlin)  # still Jan 31 in UTC
    assert add_months(local, 1) == utc(2026, 2, 28, 23, 30)


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError):
        add_months(datetime(2026, 1, 1), 1)  # noqa: DTZ001


def test_next_period_end_after_a_long_gap():
    anchor = utc(2025, 1, 31)
    assert next_period_end(anchor, utc(2026, 3, 5), 1) == utc(2026, 3, 31)
    assert next_period_end(anchor, utc(2026, 3, 31), 1) == utc(2026, 4, 30)
    assert next_period_end(anchor, utc(2025, 2, 1), 12) == utc(2026, 1, 31)


@pytest.mark.parametrize(
    ("days_left", "months"),
    [(50, 2), (1, 1), (28, 1), (30, 1), (31, 1), (32, 2), (365, 12), (0, 0)],
    ids=[
        "50-days-2-months",
        "1-day",
        "28-days",
        "30-days",
        "31-days-is-nov30-one-month",
        "32-days",
        "full-year",
        "over",
    ],
)
def test_remaining_whole_months_counts_started_months(days_left, months):
    # Period ends Dec 31; "now" is days_left before that, mid-day.
    end = utc(2026, 12, 31, 12)
    assert remaining_whole_months(end - timedelta(days=days_left), end) == months


def test_remaining_days_counts_started_days():
    end = utc(2026, 12, 31, 12)
    assert remaining_days(end - timedelta(days=2, hours=1), end) == 3
    assert remaining_days(end, end) == 0
