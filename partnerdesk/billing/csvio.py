"""CSV export of invoices."""

from __future__ import annotations

from collections.abc import Iterator

from partnerdesk.billing.selectors import invoice_list
from partnerdesk.core.actors import Tenant
from partnerdesk.core.csv_export import csv_lines

HEADER = [
    "number",
    "issued_at",
    "status",
    "customer",
    "subscription",
    "subtotal",
    "discount",
    "tax",
    "total",
    "currency",
    "due_at",
    "paid_at",
]


def export_invoices(tenant: Tenant, *, customer_id: str | None = None) -> Iterator[str]:
    """The invoices billed to the tenant (or only one customer's), newest first; money as
    decimal strings (``"600.00"``)."""
    # The lines are not exported: dropping their prefetch lets the rows stream in chunks.
    invoices = invoice_list(tenant, customer_id=customer_id).prefetch_related(None)
    rows = (
        [
            i.number,
            i.issued_at,
            i.status,
            i.customer.public_id,
            i.subscription.public_id,
            str(i.subtotal),
            str(i.discount),
            str(i.tax),
            str(i.total),
            i.currency,
            i.due_at,
            i.paid_at,
        ]
        for i in invoices.iterator(chunk_size=1000)
    )
    return csv_lines(HEADER, rows)
