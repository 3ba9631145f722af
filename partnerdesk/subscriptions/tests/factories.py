from __future__ import annotations

from datetime import datetime

from partnerdesk.catalog.models import Plan
from partnerdesk.core.actors import Actor
from partnerdesk.customers.tests.factories import make_customer
from partnerdesk.subscriptions.models import Subscription
from partnerdesk.subscriptions.services import subscription_create


def make_subscription(
    actor: Actor, plan: Plan, *, now: datetime, seats: int = 5, customer=None, **kwargs
) -> Subscription:
    customer = customer or make_customer(
        actor, now=now, name=f"{actor.reseller.name.split()[0]} Kunde GmbH", country="DE"
    )
    return subscription_create(actor=actor, customer=customer, plan=plan, seats=seats, now=now, **kwargs)
