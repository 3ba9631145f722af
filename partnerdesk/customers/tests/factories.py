from __future__ import annotations

from datetime import datetime

from partnerdesk.core.actors import Actor
from partnerdesk.customers.models import Customer
from partnerdesk.customers.services import customer_create


def make_customer(
    actor: Actor, *, now: datetime, name: str = "Amstel Logistiek B.V.", invite: bool = False, **overrides
) -> Customer:
    data = {
        "company_name": name,
        "contact_name": "Sophie Bakker",
        "contact_email": f"it@{name.split()[0].lower()}.example",
        "domain": f"{name.split()[0].lower()}.example",
        "country": "NL",
        "vat_id": "",
    } | overrides
    return customer_create(actor=actor, data=data, invite=invite, now=now)
