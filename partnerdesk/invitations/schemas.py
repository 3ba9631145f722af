from __future__ import annotations

from datetime import datetime

from ninja import Schema

from partnerdesk.invitations.models import Invitation


class RequesterOut(Schema):
    type: str  # "customer" (a company asking to be managed) or "reseller" (asking to become a sub-reseller)
    id: str
    name: str


class InvitationOut(Schema):
    id: str
    kind: str
    status: str
    email: str
    name: str
    customer: str | None
    subscription: str | None
    requester: RequesterOut | None
    created_at: datetime
    sent_at: datetime
    expires_at: datetime
    responded_at: datetime | None


def render_invitation(invitation: Invitation) -> dict:
    requester = None
    if invitation.kind == Invitation.Kind.RELATIONSHIP_REQUEST:
        if invitation.requesting_reseller_id:
            who = invitation.requesting_reseller
            requester = {"type": "reseller", "id": who.public_id, "name": who.name}
        elif invitation.customer_id:
            who = invitation.customer
            requester = {"type": "customer", "id": who.public_id, "name": who.company_name}
    return {
        "id": invitation.public_id,
        "kind": invitation.kind,
        "status": invitation.status,
        "email": invitation.email,
        "name": invitation.name,
        "customer": invitation.customer.public_id if invitation.customer_id else None,
        "subscription": invitation.subscription.public_id if invitation.subscription_id else None,
        "requester": requester,
        "created_at": invitation.created_at,
        "sent_at": invitation.sent_at,
        "expires_at": invitation.expires_at,
        "responded_at": invitation.responded_at,
    }
