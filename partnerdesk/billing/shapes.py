"""Invoices and quotes as the API shows them (API.md): money as decimal strings with a
``currency``, times in ISO 8601 UTC, ids with their type prefix."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from partnerdesk.billing.models import Invoice, InvoiceLine
from partnerdesk.billing.pricing import Quote, QuoteLine
from partnerdesk.core.money import to_api


def _time(value: datetime | None) -> str | None:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z") if value else None


def _line(line: InvoiceLine | QuoteLine, currency: str) -> dict[str, Any]:
    return {
        "charge": line.charge,
        "product": line.product_name,
        "plan": line.plan_name,
        "seats": line.seats,
        "months": line.months,
        "days": line.days,
        "unit_price": to_api(line.unit_price, currency),
        "period_start": _time(line.period_start),
        "period_end": _time(line.period_end),
        "amount": to_api(line.amount, currency),
        "discount_percent": str(line.discount_percent.normalize()),
        "discount": to_api(line.discount, currency),
    }


def invoice_shape(invoice: Invoice, lines: list[InvoiceLine] | None = None) -> dict[str, Any]:
    """``lines``: the invoice's lines when the caller has them (saves a query)."""
    c = invoice.currency
    return {
        "id": invoice.public_id,
        "object": invoice.kind,
        "number": invoice.number,
        "status": invoice.status,
        "issued_at": _time(invoice.issued_at),
        "due_at": _time(invoice.due_at),
        "paid_at": _time(invoice.paid_at),
        "customer": invoice.customer.public_id,
        "subscription": invoice.subscription.public_id,
        "billed_to": "reseller" if invoice.billed_reseller_id else "customer",
        "corrects": invoice.corrects.public_id if invoice.corrects_id else None,
        "currency": c,
        "subtotal": to_api(invoice.subtotal, c),
        "discount": to_api(invoice.discount, c),
        "net": to_api(invoice.net, c),
        "tax_rate": str(invoice.tax_rate.normalize()),
        "tax": to_api(invoice.tax, c),
        "total": to_api(invoice.total, c),
        "reverse_charge": invoice.reverse_charge,
        "tax_note": invoice.tax_note,
        "payment_method": invoice.payment_method,
        "lines": [_line(line, c) for line in (invoice.lines.all() if lines is None else lines)],
    }


def quote_shape(quote: Quote) -> dict[str, Any]:
    c = quote.currency
    return {
        "lines": [_line(line, c) for line in quote.lines],
        "months_charged": quote.months_charged,
        "currency": c,
        "subtotal": to_api(quote.subtotal, c),
        "discount": to_api(quote.discount, c),
        "net": to_api(quote.net, c),
        "tax_rate": str(quote.tax_rate.normalize()),
        "tax": to_api(quote.tax, c),
        "total": to_api(quote.total, c),
        "reverse_charge": quote.reverse_charge,
        "effective": quote.effective,
    }
