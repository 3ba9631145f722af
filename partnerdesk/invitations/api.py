from __future__ import annotations

from ninja import Query, Router

from partnerdesk.core.api.pagination import paginate
from partnerdesk.core.api.schemas import ERRORS, Page, PageQuery
from partnerdesk.core.errors import not_found
from partnerdesk.customers.selectors import customer_get
from partnerdesk.invitations import selectors, services
from partnerdesk.invitations.schemas import InvitationOut, render_invitation

router = Router(tags=["invitations and relationship requests"])


@router.post(
    "/customers/{customer_id}/invitation/resend",
    response={200: InvitationOut, **ERRORS},
    summary="Send the customer's admin invitation again (a new link; the old one stops working)",
)
def resend_customer_invitation(request, customer_id: str):
    customer = customer_get(request.auth.tenant, customer_id)
    return render_invitation(services.customer_invitation_resend(actor=request.auth, customer=customer))


@router.post(
    "/customers/{customer_id}/invitation/cancel",
    response={200: InvitationOut, **ERRORS},
    summary="Cancel the customer's pending admin invitation",
)
def cancel_customer_invitation(request, customer_id: str):
    customer = customer_get(request.auth.tenant, customer_id)
    return render_invitation(services.customer_invitation_cancel(actor=request.auth, customer=customer))


@router.get(
    "/relationship-requests",
    response={200: Page[InvitationOut], **ERRORS},
    summary="Requests to this reseller from companies and would-be sub-resellers",
)
def list_relationship_requests(request, filters: Query[PageQuery]):
    qs = selectors.relationship_requests_received(request.auth.tenant).select_related("subscription")
    return paginate(qs, limit=filters.limit, starting_after=filters.starting_after, render=render_invitation)


def _respond(request, request_id: str, *, accept: bool) -> dict:
    invitation = selectors.relationship_requests_received(request.auth.tenant).filter(public_id=request_id).first()
    if invitation is None:
        raise not_found("relationship request", "request")
    return render_invitation(
        services.relationship_request_respond(actor=request.auth, invitation=invitation, accept=accept)
    )


@router.post(
    "/relationship-requests/{request_id}/accept",
    response={200: InvitationOut, **ERRORS},
    summary="Accept: manage this company, or take this reseller on as a sub-reseller",
)
def accept_relationship_request(request, request_id: str):
    return _respond(request, request_id, accept=True)


@router.post(
    "/relationship-requests/{request_id}/decline",
    response={200: InvitationOut, **ERRORS},
    summary="Decline the request",
)
def decline_relationship_request(request, request_id: str):
    return _respond(request, request_id, accept=False)
