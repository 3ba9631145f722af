"""Reads for subscriptions, members and admins, always scoped to a tenant."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from partnerdesk.core.actors import Tenant
from partnerdesk.core.errors import not_found
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
