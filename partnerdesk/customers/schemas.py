from __future__ import annotations

from datetime import datetime

from ninja import Schema

from partnerdesk.core.api.schemas import StrictSchema
from partnerdesk.customers.models import Customer


class CustomerIn(StrictSchema):
    company_name: str
    contact_name: str = ""
    contact_email: str = ""
    domain: str = ""
    country: str
    vat_id: str = ""
    address: str = ""
    language: str = "en"
    invite: bool = False


class CustomerPatch(StrictSchema):
    company_name: str | None = None
    contact_name: str | None = None
    contact_email: str | None = None
    domain: str | None = None
    country: str | None = None
    vat_id: str | None = None
    address: str | None = None
    language: str | None = None


class CustomerOut(Schema):
    id: str
    company_name: str
    contact_name: str
    contact_email: str
    domain: str
    country: str
    vat_id: str
    address: str
    language: str
    status: str
    reseller: str | None
    created_at: datetime


def render_customer(customer: Customer) -> dict:
    return {
        "id": customer.public_id,
        "company_name": customer.company_name,
        "contact_name": customer.contact_name,
        "contact_email": customer.contact_email,
        "domain": customer.domain,
        "country": customer.country,
        "vat_id": customer.vat_id,
        "address": customer.address,
        "language": customer.language,
        "status": customer.status,
        "reseller": customer.reseller.public_id if customer.reseller_id else None,
        "created_at": customer.created_at,
    }
