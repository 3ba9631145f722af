from __future__ import annotations

from django.http import HttpResponse
from ninja import Query, Router, Status

from partnerdesk.catalog.selectors import plan_get_by_code
from partnerdesk.core.api.pagination import paginate
from partnerdesk.core.api.render import CONTENT_TYPE, json_response
from partnerdesk.core.api.schemas import ERRORS, Page, PageQuery
from partnerdesk.core.errors import invalid
from partnerdesk.customers.selectors import customer_get
from partnerdesk.revisions.cache import cached
from partnerdesk.subscriptions import selectors, services
from partnerdesk.subscriptions.schemas import (
    SUBSCRIPTION_COLUMNS,
    AdminIn,
    AdminOut,
    CancelIn,
    MemberIn,
    MemberOut,
    SubscriptionIn,
    SubscriptionOut,
    render_admin,
    render_member,
    render_subscription,
    render_subscription_row,
)

router = Router(tags=["subscriptions"])


class SubscriptionFilters(PageQuery):
    status: str | None = None
    customer: str | None = None
    archived: bool | None = None


def _get(request, subscription_id: str):
    return selectors.subscription_get(request.auth.tenant, subscription_id)


@router.get("/subscriptions", response={200: Page[SubscriptionOut], **ERRORS}, summary="List subscriptions")
def list_subscriptions(request, filters: Query[SubscriptionFilters]):
    tenant = request.auth.tenant

    def body() -> bytes:
        qs = selectors.subscription_list(
            tenant, status=filters.status, customer_id=filters.customer, archived=filters.archived
        ).values(*SUBSCRIPTION_COLUMNS)
        page = paginate(qs, limit=filters.limit, starting_after=filters.starting_after, render=render_subscription_row)
        # Rows of plain values already in SubscriptionOut's shape: rendered as ninja would, unvalidated.
        return json_response(page).content

    parts = (filters.status, filters.customer, filters.archived, filters.limit, filters.starting_after)
    return HttpResponse(cached(tenant, "api:subscriptions", parts, body), content_type=CONTENT_TYPE)


@router.post(
    "/subscriptions",
    response={201: SubscriptionOut, **ERRORS},
    summary="Create a customer subscription (for an existing or a new customer)",
)
def create_subscription(request, payload: SubscriptionIn):
    if (payload.customer is None) == (payload.new_customer is None):
        raise invalid("Give either customer (an id) or new_customer (an object).", "customer")
    plan = plan_get_by_code(payload.plan)
    admin = (
        services.CustomerAdminInput(email=payload.customer_admin.email, name=payload.customer_admin.name)
        if payload.customer_admin
        else None
    )
    options = dict(
        plan=plan,
        seats=payload.seats,
        customer_can_manage=payload.customer_can_manage,
        customer_admin=admin,
        payment_method=payload.payment_method,
    )
    if payload.new_customer is not None:
        new = payload.new_customer
        subscription = services.subscription_create_for_new_customer(
            actor=request.auth, customer_data=new.dict(exclude={"invite"}), invite=new.invite, **options
        )
    else:
        customer = customer_get(request.auth.tenant, payload.customer)
        subscription = services.subscription_create(actor=request.auth, customer=customer, **options)
    return Status(201, render_subscription(subscription))


@router.get("/subscriptions/{subscription_id}", response={200: SubscriptionOut, **ERRORS}, summary="Get a subscription")
def get_subscription(request, subscription_id: str):
    return render_subscription(_get(request, subscription_id))


@router.post(
    "/subscriptions/{subscription_id}/start",
    response={200: SubscriptionOut, **ERRORS},
    summary="Start the product for the customer; returns the launch URL",
)
def start_subscription(request, subscription_id: str):
    subscription, _ = services.subscription_start(actor=request.auth, subscription=_get(request, subscription_id))
    return render_subscription(subscription)


@router.post(
    "/subscriptions/{subscription_id}/cancel",
    response={200: SubscriptionOut, **ERRORS},
    summary="Cancel (at once in a trial, at the period end when paid)",
)
def cancel_subscription(request, subscription_id: str, payload: CancelIn):
    subscription = services.subscription_cancel(
        actor=request.auth, subscription=_get(request, subscription_id), reason=payload.reason
    )
    return render_subscription(subscription)


@router.post(
    "/subscriptions/{subscription_id}/reactivate",
    response={200: SubscriptionOut, **ERRORS},
    summary="Undo a cancellation at the period end",
)
def reactivate_subscription(request, subscription_id: str):
    subscription = services.subscription_reactivate(actor=request.auth, subscription=_get(request, subscription_id))
    return render_subscription(subscription)


@router.get(
    "/subscriptions/{subscription_id}/members",
    response={200: Page[MemberOut], **ERRORS},
    summary="List members (license holders)",
)
def list_members(request, subscription_id: str, filters: Query[PageQuery]):
    qs = selectors.member_list(_get(request, subscription_id))
    return paginate(
        qs, limit=filters.limit, starting_after=filters.starting_after, render=render_member, created_field="invited_at"
    )


@router.post(
    "/subscriptions/{subscription_id}/members",
    response={201: MemberOut, **ERRORS},
    summary="Assign a license to an e-mail address (409 when no seat is free)",
)
def add_member(request, subscription_id: str, payload: MemberIn):
    member = services.member_add(actor=request.auth, subscription=_get(request, subscription_id), email=payload.email)
    return Status(201, render_member(member))


@router.delete(
    "/subscriptions/{subscription_id}/members/{member_id}",
    response={204: None, **ERRORS},
    summary="Remove a member; the seat is free again",
)
def remove_member(request, subscription_id: str, member_id: str):
    subscription = _get(request, subscription_id)
    member = selectors.member_get(subscription, member_id)
    services.member_remove(actor=request.auth, subscription=subscription, member=member)
    return Status(204, None)


@router.get(
    "/subscriptions/{subscription_id}/admins",
    response={200: Page[AdminOut], **ERRORS},
    summary="List admins (the reseller's admin is listed and holds no seat)",
)
def list_admins(request, subscription_id: str, filters: Query[PageQuery]):
    qs = selectors.admin_list(_get(request, subscription_id))
    return paginate(qs, limit=filters.limit, starting_after=filters.starting_after, render=render_admin)


@router.post(
    "/subscriptions/{subscription_id}/admins", response={201: AdminOut, **ERRORS}, summary="Add a customer admin"
)
def add_admin(request, subscription_id: str, payload: AdminIn):
    admin = services.admin_add(
        actor=request.auth,
        subscription=_get(request, subscription_id),
        email=payload.email,
        name=payload.name,
        can_purchase=payload.can_purchase,
    )
    return Status(201, render_admin(admin))


@router.delete(
    "/subscriptions/{subscription_id}/admins/{admin_id}", response={204: None, **ERRORS}, summary="Remove an admin"
)
def remove_admin(request, subscription_id: str, admin_id: str):
    subscription = _get(request, subscription_id)
    services.admin_remove(
        actor=request.auth, subscription=subscription, admin=selectors.admin_get(subscription, admin_id)
    )
    return Status(204, None)
