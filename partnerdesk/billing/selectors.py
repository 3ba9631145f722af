"""Reads for invoices, always scoped to a tenant.

An invoice belongs to whoever it is billed to: a reseller sees the invoices billed to
it, a customer (the portal) those billed to it (direct purchases), vendor staff all.
"""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from partnerdesk.billing.models import Invoice, InvoiceLine
from partnerdesk.core.actors import Tenant
from partnerdesk.core.errors import invalid, not_found


def invoices_visible(tenant: Tenant) -> QuerySet[Invoice]:
    qs = Invoice.objects.select_related("customer", "subscription").prefetch_related(
        Prefetch("lines", queryset=InvoiceLine.objects.order_by("position"))
    )
    if tenant.vendor:
        return qs
    if tenant.customer is not None:
        return qs.filter(billed_customer=tenant.customer)
    return qs.filter(billed_reseller=tenant.reseller)


def invoice_list(
    tenant: Tenant,
    *,
    customer_id: str | None = None,
    subscription_id: str | None = None,
    status: str | None = None,
) -> QuerySet[Invoice]:
    """Newest first; filters take public ids (``cus_…``, ``sub_…``) and a status."""
    qs = invoices_visible(tenant)
    if status:
        if status not in Invoice.Status.values:
            raise invalid("status must be open, paid or void.", "status")
        qs = qs.filter(status=status)
    if customer_id:
        qs = qs.filter(customer__public_id=customer_id)
    if subscription_id:
        qs = qs.filter(subscription__public_id=subscription_id)
    return qs.order_by("-issued_at", "-id")


def invoice_get(tenant: Tenant, public_id: str) -> Invoice:
    """The tenant's invoice; another tenant's id is not found."""
    invoice = invoices_visible(tenant).filter(public_id=public_id).first()
    if invoice is None:
        raise not_found("invoice", "invoice")
    return invoice
