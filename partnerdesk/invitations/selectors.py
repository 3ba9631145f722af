"""Reads for invitations and relationship requests, scoped to a tenant."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from partnerdesk.accounts.models import Reseller
from partnerdesk.core.actors import Tenant
from partnerdesk.core.errors import not_found
from partnerdesk.customers.models import Customer
from partnerdesk.invitations.models import Invitation


def invitation_list(tenant: Tenant, *, kind: str | None = None, status: str | None = None) -> QuerySet[Invitation]:
    """Invitations the tenant sent or was sent (relationship requests to a reseller)."""
    qs = Invitation.objects.select_related("reseller", "customer", "requesting_reseller")
    if tenant.customer is not None:
        qs = qs.filter(customer=tenant.customer).exclude(kind=Invitation.Kind.TEAM_MEMBER)
    elif tenant.reseller is not None:
        qs = qs.filter(Q(reseller=tenant.reseller) | Q(requesting_reseller=tenant.reseller))
    if kind:
        qs = qs.filter(kind=kind)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-created_at", "-id")


def invitation_get(tenant: Tenant, public_id: str) -> Invitation:
    invitation = invitation_list(tenant).filter(public_id=public_id).first()
    if invitation is None:
        raise not_found("invitation", "invitation")
    return invitation


def relationship_requests_received(tenant: Tenant) -> QuerySet[Invitation]:
    """Requests to this reseller from companies and would-be sub-resellers (API.md
    ``GET /relationship-requests``)."""
    if tenant.reseller is None:
        return Invitation.objects.none()
    return (
        Invitation.objects.filter(kind=Invitation.Kind.RELATIONSHIP_REQUEST, reseller=tenant.reseller)
        .select_related("customer", "requesting_reseller")
        .order_by("-created_at", "-id")
    )


def resellers_search(query: str, *, limit: int = 20) -> list[Reseller]:
    """Active resellers whose name contains ``query`` (seed 003: search a reseller by name).
    Public information only is meant to be shown: name and country."""
    query = (query or "").strip()
    if len(query) < 2:
        return []
    return list(Reseller.objects.filter(status=Reseller.Status.ACTIVE, name__icontains=query).order_by("name")[:limit])


def partner_of(customer: Customer) -> dict | None:
    """ "Your partner" for the customer portal: the managing reseller and how to reach it."""
    reseller = customer.reseller
    if reseller is None:
        return None
    return {"name": reseller.name, "country": reseller.country, "contact_email": reseller.contact_email}
