"""Billing dates do not depend on the server's time zone (issue point 1)."""

import os
import time
from datetime import UTC, datetime, timedelta, timezone

import pytest

from partnerdesk.billing.models import Invoice
from partnerdesk.subscriptions.tests.factories import make_subscription


@pytest.fixture(params=["UTC", "Pacific/Kiritimati", "America/Los_Angeles"])
def server_tz(request):
    old = os.environ.get("TZ")
    os.environ["TZ"] = request.param
    time.tzset()
    yield request.param
    if old is None:
        os.environ.pop("TZ", None)
    else:
        os.environ["TZ"] = old
    time.tzset()


def test_new_years_eve_in_utc_is_numbered_in_the_utc_year(server_tz, vendor, actor, monthly_plan):
    at = datetime(2026, 12, 31, 23, 30, tzinfo=UTC)  # already 2027 in Kiritimati (UTC+14)
    sub = make_subscription(actor, monthly_plan, now=at, seats=1)
    invoice = Invoice.objects.get(subscription=sub)
    assert invoice.number == "2026-000001"
    assert sub.current_period_end == datetime(2027, 1, 31, 23, 30, tzinfo=UTC)


def test_a_caller_in_another_zone_gets_the_same_invoice(server_tz, vendor, actor, monthly_plan):
    berlin = timezone(timedelta(hours=1))
    at = datetime(2027, 1, 1, 0, 30, tzinfo=berlin)  # 2026-12-31 23:30 UTC
    sub = make_subscription(actor, monthly_plan, now=at, seats=1)
    assert Invoice.objects.get(subscription=sub).number == "2026-000001"
    assert sub.current_period_end == datetime(2027, 1, 31, 23, 30, tzinfo=UTC)


def test_jan_31_monthly_periods_in_a_leap_year(server_tz, vendor, actor, monthly_plan):
    at = datetime(2028, 1, 31, 12, tzinfo=UTC)
    sub = make_subscription(actor, monthly_plan, now=at, seats=1)
    assert sub.current_period_end == datetime(2028, 2, 29, 12, tzinfo=UTC)
    assert str(sub.next_payment_date) == "2028-02-29"
