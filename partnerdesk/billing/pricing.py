"""What something costs: lines, the reseller discount, VAT and totals, as a :class:`Quote`.

Pricing rules (SPEC "Reseller discount"):
- every line billed to a reseller carries the reseller's ``discount_percent``;
- a customer admin with purchase rights buys at list price, billed to the customer;
- period charges (first invoice, renewals) are always billed to the managing reseller.

Rounding: each line amount and each line discount is rounded to the currency once; the
invoice sums those rounded figures, so the lines always add up to the totals; VAT is
computed on the net sum and rounded once. ``total = subtotal - discount + tax``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from django.conf import settings

from partnerdesk.accounts.models import Reseller
from partnerdesk.billing.proration import Proration
from partnerdesk.billing.tax import vat_for
from partnerdesk.catalog.models import Plan
from partnerdesk.core.money import quantize
from partnerdesk.customers.models import Customer
from partnerdesk.subscriptions.models import Subscription

HUNDRED = Decimal(100)
UNIT_PRICE_PLACES = Decimal("0.0001")

PERIOD = "period"
TOP_UP = "top_up"


@dataclass(frozen=True)
class Buyer:
    """Who an invoice is billed to, as it is at quote time."""

    reseller: Reseller | None
    customer: Customer | None
    name: str
    address: str
    country: str
    vat_id: str
    language: str
    discount_percent: Decimal

    @classmethod
    def of_reseller(cls, reseller: Reseller) -> Buyer:
        return cls(
            reseller=reseller,
            customer=None,
            name=reseller.name,
            address=reseller.address,
            country=reseller.country,
            vat_id=reseller.vat_id,
            language=reseller.language,
            discount_percent=Decimal(reseller.discount_percent),
        )

    @classmethod
    def of_customer(cls, customer: Customer) -> Buyer:
        """A direct purchase: list price, no reseller discount (seed 004's warning)."""
        return cls(
            reseller=None,
            customer=customer,
            name=customer.company_name,
            address=customer.address,
            country=customer.country,
            vat_id=customer.vat_id,
            language=customer.language,
            discount_percent=Decimal(0),
        )

    @property
    def kind(self) -> str:
        return "reseller" if self.reseller is not None else "customer"


@dataclass(frozen=True)
class QuoteLine:
    charge: str
    product_name: str
    plan_name: str
    seats: int
    months: int | None
    days: int | None
    unit_price: Decimal
    period_start: datetime
    period_end: datetime
    amount: Decimal
    discount_percent: Decimal
    discount: Decimal

    @property
    def net(self) -> Decimal:
        return self.amount - self.discount


@dataclass(frozen=True)
class Quote:
    currency: str
    buyer: Buyer | None
    lines: list[QuoteLine] = field(default_factory=list)
    subtotal: Decimal = Decimal("0.00")
    discount: Decimal = Decimal("0.00")
    net: Decimal = Decimal("0.00")
    tax_rate: Decimal = Decimal(0)
    tax: Decimal = Decimal("0.00")
    total: Decimal = Decimal("0.00")
    reverse_charge: bool = False
    tax_note: str = ""  # a key of tax.NOTES
    months_charged: int = 0
    effective: str = "now"  # "now" or "renewal"

    @property
    def is_free(self) -> bool:
        return self.total == 0 and all(line.amount == 0 for line in self.lines)


def make_line(
    *,
    charge: str,
    plan: Plan,
    seats: int,
    months: int | None,
    days: int | None,
    unit_price: Decimal,
    amount: Decimal,
    period_start: datetime,
    period_end: datetime,
    discount_percent: Decimal,
) -> QuoteLine:
    """A priced line: ``amount`` is already rounded; the discount is rounded here, once."""
    currency = plan.currency
    return QuoteLine(
        charge=charge,
        product_name=plan.product.name,
        plan_name=plan.name,
        seats=seats,
        months=months,
        days=days,
        unit_price=unit_price.quantize(UNIT_PRICE_PLACES),
        period_start=period_start,
        period_end=period_end,
        amount=amount,
        discount_percent=discount_percent,
        discount=quantize(amount * discount_percent / HUNDRED, currency),
    )


def period_line(*, plan: Plan, seats: int, start: datetime, end: datetime, buyer: Buyer) -> QuoteLine:
    """A full term of ``seats`` seats (first invoice, renewal)."""
    price = Decimal(plan.price_per_seat)
    return make_line(
        charge=PERIOD,
        plan=plan,
        seats=seats,
        months=plan.term_months,
        days=None,
        unit_price=price / plan.term_months,
        amount=quantize(price * seats, plan.currency),
        period_start=start,
        period_end=end,
        discount_percent=buyer.discount_percent,
    )


def top_up_line(
    *, plan: Plan, extra: int, proration: Proration, start: datetime, end: datetime, buyer: Buyer
) -> QuoteLine:
    return make_line(
        charge=TOP_UP,
        plan=plan,
        seats=extra,
        months=proration.months,
        days=proration.days,
        unit_price=proration.unit_price,
        amount=proration.amount(extra, plan.currency),
        period_start=start,
        period_end=end,
        discount_percent=buyer.discount_percent,
    )


def quote(
    *,
    lines: list[QuoteLine],
    currency: str,
    buyer: Buyer,
    on: date,
    effective: str = "now",
    seller_country: str | None = None,
) -> Quote:
    """Totals and VAT for ``lines`` billed to ``buyer`` on the day ``on``."""
    vat = vat_for(seller_country or settings.VENDOR_COUNTRY, buyer.country, buyer.vat_id, on=on)
    subtotal = sum((line.amount for line in lines), Decimal("0.00"))
    discount = sum((line.discount for line in lines), Decimal("0.00"))
    net = subtotal - discount
    tax = quantize(net * vat.rate / HUNDRED, currency)
    return Quote(
        currency=currency,
        buyer=buyer,
        lines=lines,
        subtotal=subtotal,
        discount=discount,
        net=net,
        tax_rate=vat.rate,
        tax=tax,
        total=net + tax,
        reverse_charge=vat.reverse_charge,
        tax_note=vat.note,
        months_charged=max((line.months or 0 for line in lines), default=0),
        effective=effective,
    )


def period_quote(
    *, subscription: Subscription, seats: int, start: datetime, end: datetime, buyer: Buyer, on: date
) -> Quote:
    plan = subscription.plan
    line = period_line(plan=plan, seats=seats, start=start, end=end, buyer=buyer)
    return quote(lines=[line], currency=plan.currency, buyer=buyer, on=on)


def empty_quote(*, currency: str, effective: str) -> Quote:
    """Nothing to pay now (a reduction, or a top-up in a trial or under the ``none`` policy)."""
    return Quote(currency=currency, buyer=None, effective=effective)
