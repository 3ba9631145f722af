"""Reads for the catalog. Products and plans are the vendor's, visible to every tenant."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from partnerdesk.catalog.models import Plan, Product
from partnerdesk.core.errors import not_found


def product_list() -> QuerySet[Product]:
    return (
        Product.objects.filter(is_active=True)
        .prefetch_related(Prefetch("plans", queryset=Plan.objects.order_by("term_months", "code")))
        .order_by("name")
    )


def plan_get_by_code(code: str) -> Plan:
    plan = Plan.objects.select_related("product").filter(code=code, is_active=True, product__is_active=True).first()
    if plan is None:
        raise not_found("plan", "plan")
    return plan
