"""CSV export of subscriptions."""

from __future__ import annotations

from collections.abc import Iterator

from partnerdesk.core.actors import Tenant
from partnerdesk.core.csv_export import csv_lines
from partnerdesk.subscriptions.selectors import subscription_list

HEADER = [
    "id",
    "customer_id",
    "customer",
    "product",
    "plan",
    "status",
    "seats",
    "assigned",
    "pending_seats",
    "trial_ends_at",
    "current_period_start",
    "current_period_end",
    "next_payment_date",
    "cancel_at_period_end",
    "archived",
    "created_at",
]


def export_subscriptions(tenant: Tenant, *, customer_id: str | None = None) -> Iterator[str]:
    rows = (
        [
            s.public_id,
            s.customer.public_id,
            s.customer.company_name,
            s.plan.product.code,
            s.plan.code,
            s.status,
            s.seats,
            s.assigned,
            s.pending_seats,
            s.trial_ends_at,
            s.current_period_start,
            s.current_period_end,
            s.next_payment_date,
            s.cancel_at_period_end,
            s.archived,
            s.created_at,
        ]
        for s in subscription_list(tenant, archived=None, customer_id=customer_id).iterator(chunk_size=1000)
    )
    return csv_lines(HEADER, rows)
