"""The one write the console adds: a new customer and its subscription in one step.

Seed 000's "new customer subscription" form creates both. This only orchestrates the
two domain services in one transaction, so a refused subscription leaves no orphan
customer behind; every rule stays in ``customer_create`` / ``subscription_create``.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction

from partnerdesk.catalog.models import Plan
from partnerdesk.core.actors import Actor
from partnerdesk.customers.models import Customer
from partnerdesk.customers.services import customer_create
from partnerdesk.subscriptions.models import Subscription
from partnerdesk.subscriptions.services import CustomerAdminInput, subscription_create


def customer_subscription_create(
    *,
    actor: Actor,
    plan: Plan,
    seats: int,
    customer: Customer | None = None,
    new_customer: dict | None = None,
    customer_can_manage: bool = False,
    customer_admin: CustomerAdminInput | None = None,
    payment_method: str = "bank_transfer",
    now: datetime | None = None,
) -> Subscription:
    """Create the subscription for ``customer``, or first create ``new_customer`` (invited
    when the customer may manage, so its contact gets the invitation of seed 000)."""
    with transaction.atomic():
        if customer is None:
            data = dict(new_customer or {})
            if customer_admin is not None:
                data.setdefault("contact_name", customer_admin.name)
                data.setdefault("contact_email", customer_admin.email)
            customer = customer_create(actor=actor, data=data, invite=customer_can_manage, now=now)
        return subscription_create(
            actor=actor,
            customer=customer,
            plan=plan,
            seats=seats,
            customer_can_manage=customer_can_manage,
            customer_admin=customer_admin,
            payment_method=payment_method,
            now=now,
        )
