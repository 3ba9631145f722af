"""Reads for customers, always scoped to a tenant."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from partnerdesk.core.actors import Tenant
from partnerdesk.core.errors import not_found
from partnerdesk.customers.models import Customer


def customers_visible(tenant: Tenant, *, include_sub_resellers: bool = False) -> QuerySet[Customer]:
    """Every customer the tenant may see. A distributor may include its sub-resellers'
    customers (read-only); writes must use :func:`customer_get` without that flag."""
    qs = Customer.objects.select_related("reseller")
    if tenant.vendor:
        return qs
    if tenant.customer is not None:
        return qs.filter(pk=tenant.customer.pk)
    scope = Q(reseller=tenant.reseller)
    if include_sub_resellers:
        scope |= Q(reseller__parent=tenant.reseller)
    return qs.filter(scope)


def customer_list(
    tenant: Tenant,
    *,
    search: str = "",
    status: str | None = None,
    include_sub_resellers: bool = False,
) -> QuerySet[Customer]:
    qs = customers_visible(tenant, include_sub_resellers=include_sub_resellers)
    if search:
        qs = qs.filter(
            Q(company_name__icontains=search) | Q(contact_email__icontains=search) | Q(domain__icontains=search)
        )
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-created_at", "-id")


def customer_choices(tenant: Tenant, *, search: str = "", limit: int = 20) -> list[Customer]:
    """At most ``limit`` of the tenant's own customers matching ``search`` (as in
    :func:`customer_list`), by name: what a picker offers while the user types. Never the
    whole list: a reseller may have tens of thousands of customers."""
    qs = customer_list(tenant, search=search.strip()).select_related(None).only("public_id", "company_name")
    return list(qs.order_by("company_name", "id")[:limit])


def customer_get(tenant: Tenant, public_id: str, *, include_sub_resellers: bool = False) -> Customer:
    """The tenant's customer by public id; another tenant's id is simply not found."""
    customer = (
        customers_visible(tenant, include_sub_resellers=include_sub_resellers).filter(public_id=public_id).first()
    )
    if customer is None:
        raise not_found("customer", "customer")
    return customer


def customers_administered_by(user) -> QuerySet[Customer]:
    """The customers whose portal ``user`` may use as a customer admin
    (each gives ``Actor.customer_user(user, customer)``)."""
    return Customer.objects.filter(memberships__user=user).select_related("reseller").order_by("company_name")
