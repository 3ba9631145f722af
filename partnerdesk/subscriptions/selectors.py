"""Reads for subscriptions, members and admins, always scoped to a tenant."""

from __future__ import annotations

from functools import cache

from django.db import connection
from django.db.models import Q, QuerySet

from partnerdesk.accounts.models import Reseller
from partnerdesk.catalog.models import Plan, Product
from partnerdesk.core import rows
from partnerdesk.core.actors import Tenant
from partnerdesk.core.errors import not_found
from partnerdesk.customers.models import Customer
from partnerdesk.subscriptions.models import Member, Subscription, SubscriptionAdmin


def subscriptions_visible(tenant: Tenant, *, include_sub_resellers: bool = False) -> QuerySet[Subscription]:
    qs = Subscription.objects.select_related("customer", "plan__product", "reseller")
    if tenant.vendor:
        return qs
    if tenant.customer is not None:
        return qs.filter(customer=tenant.customer)
    scope = Q(reseller=tenant.reseller)
    if include_sub_resellers:
        scope |= Q(reseller__parent=tenant.reseller)
    return qs.filter(scope)


def subscription_list(
    tenant: Tenant,
    *,
    status: str | None = None,
    customer_id: str | None = None,
    archived: bool | None = False,
    product_code: str | None = None,
    search: str = "",
    include_sub_resellers: bool = False,
) -> QuerySet[Subscription]:
    """Newest first. ``archived=None`` returns both live and archived subscriptions."""
    qs = subscriptions_visible(tenant, include_sub_resellers=include_sub_resellers)
    if archived is not None:
        qs = qs.filter(archived=archived)
    if status:
        qs = qs.filter(status=status)
    if customer_id:
        qs = qs.filter(customer__public_id=customer_id)
    if product_code:
        qs = qs.filter(plan__product__code=product_code)
    if search:
        qs = qs.filter(Q(customer__company_name__icontains=search) | Q(public_id=search))
    return qs.order_by("-created_at", "-id")


def subscription_get(tenant: Tenant, public_id: str, *, include_sub_resellers: bool = False) -> Subscription:
    """The tenant's subscription; another tenant's id is not found."""
    if tenant.reseller is not None and not include_sub_resellers:
        return _reseller_subscription_get(tenant.reseller.pk, public_id)
    # get(), not first(): public_id is unique, and first() would compile the model's ORDER BY
    # (about a third of this query's cost, on every request that names a subscription).
    try:
        return subscriptions_visible(tenant, include_sub_resellers=include_sub_resellers).get(public_id=public_id)
    except Subscription.DoesNotExist:
        raise not_found("subscription", "subscription") from None


def member_list(subscription: Subscription) -> QuerySet[Member]:
    """Members of a subscription already fetched through a tenant-scoped selector."""
    return subscription.members.order_by("-invited_at", "-id")


def member_get(subscription: Subscription, public_id: str) -> Member:
    member = subscription.members.filter(public_id=public_id).first()
    if member is None:
        raise not_found("member", "member")
    return member


def admin_list(subscription: Subscription) -> QuerySet[SubscriptionAdmin]:
    return subscription.admins.order_by("created_at", "id")


def admin_get(subscription: Subscription, public_id: str) -> SubscriptionAdmin:
    admin = subscription.admins.filter(public_id=public_id).first()
    if admin is None:
        raise not_found("admin", "admin")
    return admin


def _reseller_subscription_get(reseller_id: int, public_id: str) -> Subscription:
    """:func:`subscription_get` for a reseller's own subscription, read by every API request that
    names one: a fixed statement (core/rows.py) building what the ORM's select_related would,
    whose compiling of the four joins cost more than running them."""
    found = rows.fetch(_reseller_subscription_sql(), [reseller_id, public_id])
    if not found:
        raise not_found("subscription", "subscription")
    row = found[0]
    subscription = rows.instance(Subscription, row)
    at = rows.width(Subscription)
    related = {}
    for name, model in (("customer", Customer), ("reseller", Reseller), ("plan", Plan), ("product", Product)):
        related[name] = rows.instance(model, row, at)
        at += rows.width(model)
    rows.cache_related(related["plan"], "product", related["product"])
    for name in ("customer", "reseller", "plan"):
        rows.cache_related(subscription, name, related[name])
    return subscription


@cache
def _reseller_subscription_sql() -> str:
    def table(model) -> str:
        return connection.ops.quote_name(model._meta.db_table)

    return (
        f"SELECT {rows.columns(Subscription, 's')}, {rows.columns(Customer, 'c')}, {rows.columns(Reseller, 'r')}, "
        f"{rows.columns(Plan, 'p')}, {rows.columns(Product, 'pr')} FROM {table(Subscription)} s "
        f"JOIN {table(Customer)} c ON c.id = s.customer_id JOIN {table(Reseller)} r ON r.id = s.reseller_id "
        f"JOIN {table(Plan)} p ON p.id = s.plan_id JOIN {table(Product)} pr ON pr.id = p.product_id "
        "WHERE s.reseller_id = %s AND s.public_id = %s"
    )
