from __future__ import annotations

from ninja import Schema
from pydantic import StrictInt

from partnerdesk.core.api.schemas import StrictSchema
from partnerdesk.subscriptions.schemas import SubscriptionOut


class LineOut(Schema):
    charge: str
    product: str
    plan: str
    seats: int
    months: int | None  # whole-months proration and full terms
    days: int | None  # daily proration
    unit_price: str
    period_start: str | None
    period_end: str | None
    amount: str
    discount_percent: str
    discount: str


class QuoteOut(Schema):
    lines: list[LineOut]
    months_charged: int
    currency: str
    subtotal: str
    discount: str
    net: str
    tax_rate: str
    tax: str
    total: str
    reverse_charge: bool
    effective: str


class InvoiceOut(Schema):
    id: str
    object: str
    number: str
    status: str
    issued_at: str | None
    due_at: str | None
    paid_at: str | None
    customer: str
    subscription: str
    billed_to: str
    corrects: str | None
    currency: str
    subtotal: str
    discount: str
    net: str
    tax_rate: str
    tax: str
    total: str
    reverse_charge: bool
    tax_note: str
    payment_method: str
    lines: list[LineOut]


class SeatsIn(StrictSchema):
    seats: StrictInt


class SeatsChangedOut(Schema):
    subscription: SubscriptionOut
    invoice: InvoiceOut | None
