"""The dashboard's 12-month chart (web.selectors.seats_and_revenue_history), summed by the
database, against a plain reference: walk every subscription for every month end in Python
with exact fractions, as the chart is defined. Any subscriptions, seat ledgers, prices,
currencies, filters and sort orders (hypothesis), archived ones included."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from itertools import count

import pytest
from babel.numbers import get_currency_precision
from django.db import transaction
from django.db.models import Q
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from conftest import NOW, make_reseller
from partnerdesk.catalog.models import Plan
from partnerdesk.core.actors import Tenant
from partnerdesk.core.periods import add_months
from partnerdesk.customers.models import Customer
from partnerdesk.subscriptions.models import SeatLedgerEntry, Subscription
from partnerdesk.web import selectors

pytestmark = pytest.mark.django_db

THIS_MONTH = NOW.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
BOUNDARIES = [add_months(THIS_MONTH, -offset) for offset in range(-1, 13)] + [NOW]
# Month boundaries, a microsecond either side of them, and any minute from 15 months back.
INSTANT = st.one_of(
    st.sampled_from(BOUNDARIES),
    st.builds(
        lambda moment, shift: moment + timedelta(microseconds=shift),
        st.sampled_from(BOUNDARIES),
        st.sampled_from([-1, 1]),
    ),
    st.integers(min_value=-460 * 24 * 60, max_value=40 * 24 * 60).map(lambda minutes: NOW + timedelta(minutes=minutes)),
)
PLANS = [  # term, price, currency: twelfths that do not end, and a second currency
    (12, "120.00", "EUR"),
    (1, "12.00", "EUR"),
    (12, "59.90", "EUR"),
    (12, "0.01", "EUR"),
    (1, "4.99", "USD"),
    (12, "1000.00", "JPY"),
]
SUBSCRIPTION = st.fixed_dictionaries(
    {
        "created_at": INSTANT,
        "ended_at": st.none() | INSTANT,
        "billing_anchor": st.none() | INSTANT,
        "seats": st.integers(min_value=1, max_value=40),
        "plan": st.integers(min_value=0, max_value=len(PLANS) - 1),
        "customer": st.integers(min_value=0, max_value=1),
        "archived": st.booleans(),
        "ledger": st.lists(
            st.tuples(INSTANT, st.integers(min_value=1, max_value=40), st.sampled_from(["now", "now", "renewal"])),
            max_size=4,
        ),
    }
)
SORTS = st.sampled_from(["-created", "created", "customer", "-customer", "seats", "-seats", "product"])
numbers = count()


def reference(subscriptions, *, now: datetime) -> list[tuple[datetime, int, Decimal]]:
    """The chart as specified, one subscription and one month at a time, exactly."""
    months = [add_months(THIS_MONTH, -offset) for offset in range(11, -1, -1)]
    ends = [min(add_months(month, 1), now) for month in months]
    window = subscriptions.filter(created_at__lt=ends[-1]).filter(Q(ended_at__isnull=True) | Q(ended_at__gte=months[0]))
    subs = list(window)  # in the table's order: the first one's currency is the chart's
    currency = subs[0].plan.currency if subs else "EUR"
    points = []
    for month, end in zip(months, ends, strict=True):
        seats, revenue = 0, Fraction(0)
        for sub in subs:
            if not (sub.created_at < end and (sub.ended_at is None or sub.ended_at >= end)):
                continue
            before = list(sub.seat_ledger.filter(effective="now", at__lt=end).order_by("at", "id"))
            held = before[-1].seats_to if before else sub.seats
            seats += held
            if sub.billing_anchor is not None and sub.billing_anchor < end and sub.plan.currency == currency:
                revenue += Fraction(held) * Fraction(sub.plan.price_per_seat) / sub.plan.term_months
        unit = Fraction(1, 10 ** get_currency_precision(currency))
        rounded = int(revenue / unit + Fraction(1, 2)) * unit  # half up, never negative
        points.append((month, seats, Decimal(rounded.numerator) / Decimal(rounded.denominator)))
    return points


@pytest.fixture
def plans(product):
    return [
        Plan.objects.create(
            product=product,
            code=f"history-{n}",
            name=f"Plan {n}",
            term_months=term,
            price_per_seat=Decimal(price),
            currency=currency,
        )
        for n, (term, price, currency) in enumerate(PLANS)
    ]


class Discard(Exception):
    """Raised to roll one example's rows back."""


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    specs=st.lists(SUBSCRIPTION, max_size=7),
    sort=SORTS,
    status=st.sampled_from([None, "active", "trial"]),
)
@example(  # six twelfths of a cent, each inexact, make exactly half a cent: 0.01, not 0.00
    specs=[
        {
            "created_at": NOW - timedelta(days=400 + n),
            "ended_at": None,
            "billing_anchor": NOW - timedelta(days=400),
            "seats": 1,
            "plan": 3,
            "customer": 0,
            "archived": False,
            "ledger": [],
        }
        for n in range(6)
    ],
    sort="-created",
    status=None,
)
def test_history_matches_the_reference(plans, specs, sort, status):
    try:
        with transaction.atomic():
            reseller, _ = make_reseller(f"Historie {next(numbers)} GmbH")
            customers = [
                Customer.objects.create(reseller=reseller, company_name=name, country="DE", created_at=NOW)
                for name in ("Amsel KG", "Zander AG")
            ]
            for spec in specs:
                archived = spec["archived"]
                sub = Subscription.objects.create(
                    customer=customers[spec["customer"]],
                    reseller=reseller,
                    plan=plans[spec["plan"]],
                    status="cancelled" if archived else ("trial" if spec["billing_anchor"] is None else "active"),
                    trial_ends_at=NOW,
                    seats=spec["seats"],
                    billing_anchor=spec["billing_anchor"],
                    current_period_start=NOW,
                    current_period_end=NOW + timedelta(days=30),
                    created_at=spec["created_at"],
                    ended_at=spec["ended_at"],
                    archived=archived,
                )
                SeatLedgerEntry.objects.bulk_create(
                    SeatLedgerEntry(subscription=sub, at=at, seats_from=1, seats_to=to, reason="top_up", effective=eff)
                    for at, to, eff in spec["ledger"]
                )
            shown = selectors.dashboard_subscriptions(Tenant.for_reseller(reseller), sort=sort, status=status)
            got = [(p.month, p.seats, p.revenue) for p in selectors.seats_and_revenue_history(shown, now=NOW)]
            assert got == reference(shown, now=NOW)
            raise Discard
    except Discard:
        pass
