"""Writes the console adds on top of the domain services.

- A new customer and its subscription in one step: seed 000's "new customer
  subscription" form creates both. This only orchestrates the two domain services in one
  transaction, so a refused subscription leaves no orphan customer behind; every rule
  stays in ``customer_create`` / ``subscription_create``.
- A reseller's own business information (the settings page).
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction

from partnerdesk.accounts.models import Reseller
from partnerdesk.audit.services import audit_record, snapshot
from partnerdesk.catalog.models import Plan
from partnerdesk.core import clock
from partnerdesk.core.actors import Actor
from partnerdesk.core.errors import forbidden, invalid
from partnerdesk.core.validation import normalize_email, normalize_vat_id
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


RESELLER_BUSINESS_FIELDS = ["address", "contact_email", "vat_id", "language"]


def reseller_business_update(*, actor: Actor, data: dict, now: datetime | None = None) -> Reseller:
    """A reseller's owner keeps its own business information current (address, contact,
    VAT ID, language). Name, country and discount stay with vendor staff: the name is
    how companies find the reseller, and country and discount change what invoices say.

    Lives with the console for now; it belongs next to ``reseller_update`` in accounts.
    """
    actor.require("team")
    if actor.reseller is None:
        raise forbidden("Only a reseller can change its business information.")
    unknown = set(data) - set(RESELLER_BUSINESS_FIELDS)
    if unknown:
        raise invalid(f"Unknown field {sorted(unknown)[0]}.", sorted(unknown)[0])
    now = clock.resolve(now)
    with transaction.atomic():
        locked = Reseller.objects.select_for_update().get(pk=actor.reseller.pk)
        clean = {
            "address": (data.get("address", locked.address) or "").strip()[:1000],
            "vat_id": normalize_vat_id(data.get("vat_id", locked.vat_id) or "", locked.country),
            "language": (data.get("language", locked.language) or "en").strip().lower(),
        }
        email = (data.get("contact_email", locked.contact_email) or "").strip()
        clean["contact_email"] = normalize_email(email, "contact_email") if email else ""
        if clean["language"] not in ("en", "de", "nl"):
            raise invalid("language must be one of en, de, nl.", "language")
        before = snapshot(locked, RESELLER_BUSINESS_FIELDS)
        changed = {name: value for name, value in clean.items() if before[name] != value}
        if changed:
            for name, value in changed.items():
                setattr(locked, name, value)
            locked.save(update_fields=list(changed))
            audit_record(
                actor=actor,
                action="reseller.update_business",
                obj=locked,
                reseller=locked,
                before={k: before[k] for k in changed},
                after=changed,
                now=now,
            )
    return locked
