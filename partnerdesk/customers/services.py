"""Writes for customers: create and update business information."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction

from partnerdesk.audit.services import audit_record, snapshot
from partnerdesk.core import clock
from partnerdesk.core.actors import Actor
from partnerdesk.core.errors import forbidden, invalid
from partnerdesk.core.validation import (
    normalize_country,
    normalize_domain,
    normalize_email,
    normalize_vat_id,
    require_text,
)
from partnerdesk.customers.models import Customer
from partnerdesk.invitations.services import customer_admin_invite
from partnerdesk.webhooks.events import customer_data, record_event

BUSINESS_FIELDS = [
    "company_name",
    "contact_name",
    "contact_email",
    "domain",
    "country",
    "vat_id",
    "address",
    "language",
]
_LANGUAGES = {"en", "de", "nl"}


def _clean_business_information(data: dict) -> dict:
    """Validated business information; raises DomainError naming the first bad field."""
    clean: dict = {}
    clean["company_name"] = require_text(data.get("company_name", ""), "company_name")
    clean["contact_name"] = (data.get("contact_name") or "").strip()[:200]
    email = (data.get("contact_email") or "").strip()
    clean["contact_email"] = normalize_email(email, "contact_email") if email else ""
    clean["domain"] = normalize_domain(data.get("domain") or "")
    clean["country"] = normalize_country(data.get("country") or "")
    clean["vat_id"] = normalize_vat_id(data.get("vat_id") or "", clean["country"])
    clean["address"] = (data.get("address") or "").strip()[:1000]
    language = (data.get("language") or "en").strip().lower()
    if language not in _LANGUAGES:
        raise invalid("language must be one of en, de, nl.", "language")
    clean["language"] = language
    return clean


def customer_create(*, actor: Actor, data: dict, invite: bool = False, now: datetime | None = None) -> Customer:
    """Create a customer managed by the actor's reseller.

    With ``invite`` the customer starts ``invited`` (seed 002) and its contact gets the
    customer-admin invitation (sent after commit); accepting it makes the customer
    ``active``. Without, it is ``active`` at once.
    """
    actor.require("manage")
    reseller = actor.reseller
    if reseller is None:
        raise forbidden("Only a reseller can create customers.")
    now = clock.resolve(now)
    clean = _clean_business_information(data)
    if invite and not clean["contact_email"]:
        raise invalid("An invitation needs the contact's e-mail address.", "contact_email")
    status = Customer.Status.INVITED if invite else Customer.Status.ACTIVE
    with transaction.atomic():
        customer = Customer.objects.create(reseller=reseller, status=status, created_at=now, updated_at=now, **clean)
        audit_record(
            actor=actor,
            action="customer.create",
            obj=customer,
            acting_on=customer,
            after=snapshot(customer, [*BUSINESS_FIELDS, "status"]),
            now=now,
        )
        if invite:
            customer_admin_invite(
                actor=actor, customer=customer, email=customer.contact_email, name=customer.contact_name, now=now
            )
        record_event(
            type="customer.created", reseller=reseller, customer=customer, data=customer_data(customer), now=now
        )
    return customer


def customer_update(*, actor: Actor, customer: Customer, data: dict, now: datetime | None = None) -> Customer:
    """Change business information; fields not in ``data`` keep their value."""
    actor.require("manage")
    tenant = actor.tenant
    if tenant.reseller is not None and customer.reseller_id != tenant.reseller.pk:
        raise forbidden("Only the managing reseller may change this customer.")
    if tenant.customer is not None and customer.pk != tenant.customer.pk:
        raise forbidden("A customer may change only its own business information.")
    now = clock.resolve(now)
    unknown = set(data) - set(BUSINESS_FIELDS)
    if unknown:
        raise invalid(f"Unknown field {sorted(unknown)[0]}.", sorted(unknown)[0])
    merged = {name: getattr(customer, name) for name in BUSINESS_FIELDS} | {
        k: v for k, v in data.items() if v is not None
    }
    clean = _clean_business_information(merged)
    with transaction.atomic():
        locked = Customer.objects.select_for_update().get(pk=customer.pk)
        before = snapshot(locked, BUSINESS_FIELDS)
        changed = {name: value for name, value in clean.items() if before[name] != value}
        if not changed:
            return locked
        for name, value in changed.items():
            setattr(locked, name, value)
        locked.updated_at = now
        locked.save(update_fields=[*changed, "updated_at"])
        audit_record(
            actor=actor,
            action="customer.update",
            obj=locked,
            acting_on=locked,
            reseller=locked.reseller,
            before={k: before[k] for k in changed},
            after=changed,
            now=now,
        )
    return locked
