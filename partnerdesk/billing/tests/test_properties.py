"""Property tests (hypothesis): the arithmetic holds for any prices, seats, discounts,
dates and currencies, not just the golden examples."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from partnerdesk.billing.pricing import Buyer, period_line, quote, top_up_line
from partnerdesk.billing.proration import prorate
from partnerdesk.catalog.models import Plan, Product
from partnerdesk.core.money import minor_unit, quantize
from partnerdesk.core.periods import add_months

CURRENCIES = st.sampled_from(["EUR", "JPY", "USD", "BHD"])  # 2, 0, 2 and 3 decimals
PRICES = st.decimals(min_value=0, max_value=100_000, places=2)
DISCOUNTS = st.decimals(min_value=0, max_value=100, places=2)
SEATS = st.integers(min_value=1, max_value=10_000)
TERMS = st.sampled_from([1, 12])
ANCHORS = st.datetimes(
    min_value=datetime(2020, 1, 1),  # noqa: DTZ001 - hypothesis adds the zone
    max_value=datetime(2035, 12, 31),  # noqa: DTZ001
    timezones=st.just(UTC),
)
BUYERS = st.sampled_from([("DE", ""), ("NL", "NL004495445B01"), ("NL", ""), ("US", ""), ("FI", ""), ("HU", "")])


def plan_of(price: Decimal, term: int, currency: str, policy: str = "whole_months") -> Plan:
    return Plan(
        product=Product(name="Product"),
        name="Plan",
        term_months=term,
        price_per_seat=price,
        currency=currency,
        proration_policy=policy,
    )


def buyer_of(country: str, vat_id: str, discount: Decimal) -> Buyer:
    return Buyer(
        reseller=None,
        customer=None,
        name="Buyer",
        address="",
        country=country,
        vat_id=vat_id,
        language="en",
        discount_percent=discount,
    )


def is_rounded(amount: Decimal, currency: str) -> bool:
    return amount == quantize(amount, currency)


@settings(max_examples=300, deadline=None)
@given(
    currency=CURRENCIES,
    items=st.lists(st.tuples(PRICES, SEATS, TERMS), min_size=1, max_size=6),
    discount=DISCOUNTS,
    buyer=BUYERS,
    anchor=ANCHORS,
)
def test_totals_add_up_and_never_lose_a_cent(currency, items, discount, buyer, anchor):
    who = buyer_of(*buyer, discount)
    lines = [
        period_line(
            plan=plan_of(price, term, currency),
            seats=seats,
            start=anchor,
            end=add_months(anchor, term),
            buyer=who,
        )
        for price, seats, term in items
    ]
    q = quote(lines=lines, currency=currency, buyer=who, on=anchor.date(), seller_country="DE")
    # total = net - discount + VAT, and the lines add up to the totals exactly
    assert q.total == q.subtotal - q.discount + q.tax
    assert q.net == q.subtotal - q.discount
    assert q.subtotal == sum(line.amount for line in lines)
    assert q.discount == sum(line.discount for line in lines)
    assert q.net == sum(line.net for line in lines)
    # every figure is a whole number of minor units: nothing below a cent is created
    for amount in [q.subtotal, q.discount, q.net, q.tax, q.total, *(x.amount for x in lines)]:
        assert is_rounded(amount, currency)
    # rounding moves each figure by at most half a minor unit
    half = minor_unit(currency) / 2
    for (price, seats, _), line in zip(items, lines, strict=True):
        assert abs(line.amount - price * seats) <= half
        assert abs(line.discount - line.amount * discount / 100) <= half
        assert 0 <= line.discount <= line.amount
    assert abs(q.tax - q.net * q.tax_rate / 100) <= half
    assert q.tax >= 0 and q.total >= 0


@settings(max_examples=500, deadline=None)
@given(
    policy=st.sampled_from(["whole_months", "daily", "none"]),
    price=PRICES,
    term=TERMS,
    anchor=ANCHORS,
    offset=st.timedeltas(min_value=timedelta(days=-40), max_value=timedelta(days=400)),
)
def test_proration_is_never_negative_nor_more_than_a_full_term(policy, price, term, anchor, offset):
    end = add_months(anchor, term)
    now = anchor + offset
    p = prorate(policy=policy, term_price=price, term_months=term, period_start=anchor, period_end=end, now=now)
    assert Decimal(0) <= p.per_seat <= price
    if p.months is not None:
        assert 0 <= p.months <= term
    if now >= end:
        assert p.per_seat == 0
    later = prorate(
        policy=policy,
        term_price=price,
        term_months=term,
        period_start=anchor,
        period_end=end,
        now=now + timedelta(days=1),
    )
    assert later.per_seat <= p.per_seat  # waiting never costs more


@settings(max_examples=300, deadline=None)
@given(
    price=PRICES,
    term=TERMS,
    anchor=ANCHORS,
    days_before_end=st.integers(min_value=1, max_value=365),
    extra=SEATS,
    currency=CURRENCIES,
    discount=DISCOUNTS,
)
def test_a_top_up_costs_at_most_a_full_period_for_the_same_seats(
    price, term, anchor, days_before_end, extra, currency, discount
):
    end = add_months(anchor, term)
    now = max(anchor, end - timedelta(days=days_before_end))
    plan = plan_of(price, term, currency)
    who = buyer_of("DE", "", discount)
    p = prorate(policy="whole_months", term_price=price, term_months=term, period_start=anchor, period_end=end, now=now)
    top_up = top_up_line(plan=plan, extra=extra, proration=p, start=now, end=end, buyer=who)
    full = period_line(plan=plan, seats=extra, start=anchor, end=end, buyer=who)
    assert Decimal(0) <= top_up.amount <= full.amount
    assert is_rounded(top_up.amount, currency)


@settings(max_examples=200, deadline=None)
@given(day=st.dates(min_value=date(2020, 1, 1), max_value=date(2035, 12, 31)), buyer=BUYERS)
def test_vat_rate_is_one_of_the_table_or_zero(day, buyer):
    from partnerdesk.billing.tax import STANDARD_RATES, vat_for

    decision = vat_for("DE", buyer[0], buyer[1], on=day)
    assert decision.rate == 0 or decision.rate in {Decimal(rate) for _, rate in STANDARD_RATES["DE"]}
    assert decision.reverse_charge == (decision.rate == 0 and buyer[0] != "US")
