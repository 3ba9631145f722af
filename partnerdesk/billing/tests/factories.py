from __future__ import annotations

from datetime import datetime

from partnerdesk.accounts.models import User
from partnerdesk.core.actors import Actor
from partnerdesk.subscriptions.models import Subscription
from partnerdesk.subscriptions.services import admin_add


def make_purchasing_customer_admin(
    actor: Actor, subscription: Subscription, *, now: datetime, email: str = "einkauf@kunde.example"
) -> Actor:
    """A customer admin whom the reseller granted purchase rights, acting in the portal."""
    admin_add(actor=actor, subscription=subscription, email=email, name="Einkauf", can_purchase=True, now=now)
    user = User.objects.create_user(email=email, password="x")
    return Actor.customer_user(user, subscription.customer)
