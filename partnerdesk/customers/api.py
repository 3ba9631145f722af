from __future__ import annotations

from ninja import Query, Router, Status

from partnerdesk.core.api.pagination import paginate
from partnerdesk.core.api.schemas import ERRORS, Page, PageQuery
from partnerdesk.customers import selectors, services
from partnerdesk.customers.schemas import CustomerIn, CustomerOut, CustomerPatch, render_customer

router = Router(tags=["customers"])


class CustomerFilters(PageQuery):
    status: str | None = None
    search: str = ""


@router.get("/customers", response={200: Page[CustomerOut], **ERRORS}, summary="List customers")
def list_customers(request, filters: Query[CustomerFilters]):
    qs = selectors.customer_list(request.auth.tenant, search=filters.search, status=filters.status)
    return paginate(qs, limit=filters.limit, starting_after=filters.starting_after, render=render_customer)


@router.post("/customers", response={201: CustomerOut, **ERRORS}, summary="Create a customer")
def create_customer(request, payload: CustomerIn):
    data = payload.dict(exclude={"invite"})
    customer = services.customer_create(actor=request.auth, data=data, invite=payload.invite)
    return Status(201, render_customer(customer))


@router.get("/customers/{customer_id}", response={200: CustomerOut, **ERRORS}, summary="Get a customer")
def get_customer(request, customer_id: str):
    return render_customer(selectors.customer_get(request.auth.tenant, customer_id))


@router.patch(
    "/customers/{customer_id}",
    response={200: CustomerOut, **ERRORS},
    summary="Change a customer's business information",
)
def update_customer(request, customer_id: str, payload: CustomerPatch):
    customer = selectors.customer_get(request.auth.tenant, customer_id)
    updated = services.customer_update(actor=request.auth, customer=customer, data=payload.dict(exclude_unset=True))
    return render_customer(updated)
