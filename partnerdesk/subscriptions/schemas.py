from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from ninja import Schema
from pydantic import StrictBool, StrictInt

from partnerdesk.core.api.schemas import StrictSchema
from partnerdesk.customers.schemas import CustomerIn
from partnerdesk.subscriptions.models import Member, Subscription, SubscriptionAdmin
from partnerdesk.subscriptions.services import launch_url_for


class CustomerAdminIn(StrictSchema):
    email: str
    name: str = ""


class SubscriptionIn(StrictSchema):
    customer: str | None = None
    new_customer: CustomerIn | None = None
    plan: str
    seats: StrictInt
    customer_can_manage: StrictBool = False
    customer_admin: CustomerAdminIn | None = None
    payment_method: Literal["card", "bank_transfer"] = "bank_transfer"


class SubscriptionOut(Schema):
    id: str
    customer: str
    product: str
    plan: str
    status: str
    seats: int
    assigned: int
    trial_ends_at: datetime | None
    current_period_start: datetime
    current_period_end: datetime
    next_payment_date: date | None
    pending_seats: int | None
    cancel_at_period_end: bool
    archived: bool
    started_at: datetime | None
    launch_url: str
    customer_can_manage: bool
    payment_method: str
    created_at: datetime


class CancelIn(StrictSchema):
    reason: str = ""


class MemberIn(StrictSchema):
    email: str


class MemberOut(Schema):
    id: str
    email: str
    status: str
    created_at: datetime
    activated_at: datetime | None


class AdminIn(StrictSchema):
    email: str
    name: str = ""
    can_purchase: StrictBool = False


class AdminOut(Schema):
    id: str
    email: str
    name: str
    kind: str
    can_purchase: bool
    holds_seat: bool
    created_at: datetime


# What the API shows of a subscription, as ``.values()`` columns: lists read these plain values
# (no model instances), single objects are read through the same names, so both render alike.
SUBSCRIPTION_COLUMNS = (
    "public_id",
    "customer__public_id",
    "plan__product__code",
    "plan__product__launch_url",
    "plan__code",
    "status",
    "seats",
    "assigned",
    "trial_ends_at",
    "current_period_start",
    "current_period_end",
    "next_payment_date",
    "pending_seats",
    "cancel_at_period_end",
    "archived",
    "started_at",
    "customer_can_manage",
    "payment_method",
    "created_at",
)


def render_subscription_row(row: dict) -> dict:
    """A subscription as SubscriptionOut shows it, from its SUBSCRIPTION_COLUMNS values."""
    return {
        "id": row["public_id"],
        "customer": row["customer__public_id"],
        "product": row["plan__product__code"],
        "plan": row["plan__code"],
        "status": row["status"],
        "seats": row["seats"],
        "assigned": row["assigned"],
        "trial_ends_at": row["trial_ends_at"],
        "current_period_start": row["current_period_start"],
        "current_period_end": row["current_period_end"],
        "next_payment_date": row["next_payment_date"],
        "pending_seats": row["pending_seats"],
        "cancel_at_period_end": row["cancel_at_period_end"],
        "archived": row["archived"],
        "started_at": row["started_at"],
        "launch_url": launch_url_for(row["plan__product__launch_url"], row["public_id"]) if row["started_at"] else "",
        "customer_can_manage": row["customer_can_manage"],
        "payment_method": row["payment_method"],
        "created_at": row["created_at"],
    }


def render_subscription(sub: Subscription) -> dict:
    row = {}
    for column in SUBSCRIPTION_COLUMNS:
        value = sub
        for name in column.split("__"):
            value = getattr(value, name)
        row[column] = value
    return render_subscription_row(row)


def render_member(member: Member) -> dict:
    return {
        "id": member.public_id,
        "email": member.email,
        "status": member.status,
        "created_at": member.invited_at,
        "activated_at": member.activated_at,
    }


def render_admin(admin: SubscriptionAdmin) -> dict:
    return {
        "id": admin.public_id,
        "email": admin.email,
        "name": admin.name,
        "kind": admin.kind,
        "can_purchase": admin.can_purchase,
        "holds_seat": False,
        "created_at": admin.created_at,
    }
