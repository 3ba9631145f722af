from __future__ import annotations

from ninja import Schema

from partnerdesk.catalog.models import Plan, Product
from partnerdesk.core.money import to_api


class PlanOut(Schema):
    code: str
    name: str
    term_months: int
    price_per_seat: str
    currency: str
    trial_days: int
    min_seats: int
    max_seats: int | None
    proration_policy: str


class ProductOut(Schema):
    id: str
    code: str
    name: str
    description: str
    plans: list[PlanOut]


def render_plan(plan: Plan) -> dict:
    return {
        "code": plan.code,
        "name": plan.name,
        "term_months": plan.term_months,
        "price_per_seat": to_api(plan.price_per_seat, plan.currency),
        "currency": plan.currency,
        "trial_days": plan.trial_days,
        "min_seats": plan.min_seats,
        "max_seats": plan.max_seats,
        "proration_policy": plan.proration_policy,
    }


def render_product(product: Product) -> dict:
    return {
        "id": product.public_id,
        "code": product.code,
        "name": product.name,
        "description": product.description,
        "plans": [render_plan(plan) for plan in product.plans.all() if plan.is_active],
    }
