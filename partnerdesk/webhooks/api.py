from __future__ import annotations

from datetime import datetime
from typing import Any

from ninja import Query, Router, Schema, Status

from partnerdesk.core.api.pagination import paginate
from partnerdesk.core.api.schemas import ERRORS, Page, PageQuery, StrictSchema
from partnerdesk.webhooks import selectors, services
from partnerdesk.webhooks.events import event_api_data

router = Router(tags=["events and webhooks"])


class EventOut(Schema):
    id: str
    type: str
    created_at: datetime
    data: dict[str, Any]


class EventFilters(PageQuery):
    type: str | None = None


class EndpointIn(StrictSchema):
    url: str
    events: list[str]
    description: str = ""


class EndpointOut(Schema):
    id: str
    url: str
    events: list[str]
    description: str
    enabled: bool
    disabled_reason: str
    created_at: datetime
    secret: str | None = None  # only in the answer that creates the endpoint


@router.get("/events", response={200: Page[EventOut], **ERRORS}, summary="Events of your account, newest first")
def list_events(request, filters: Query[EventFilters]):
    qs = selectors.event_list(request.auth.tenant, type=filters.type)
    return paginate(qs, limit=filters.limit, starting_after=filters.starting_after, render=event_api_data)


@router.get("/webhook-endpoints", response={200: Page[EndpointOut], **ERRORS}, summary="Your webhook endpoints")
def list_endpoints(request, filters: Query[PageQuery]):
    qs = selectors.webhook_endpoint_list(request.auth.tenant)
    return paginate(
        qs, limit=filters.limit, starting_after=filters.starting_after, render=selectors.webhook_endpoint_data
    )


@router.post(
    "/webhook-endpoints",
    response={201: EndpointOut, **ERRORS},
    summary="Add a webhook endpoint; the signing secret is shown in this answer only",
)
def create_endpoint(request, payload: EndpointIn):
    endpoint, secret = services.webhook_endpoint_create(
        actor=request.auth, url=payload.url, events=payload.events, description=payload.description
    )
    return Status(201, selectors.webhook_endpoint_data(endpoint, secret=secret))


@router.delete(
    "/webhook-endpoints/{endpoint_id}",
    response={204: None, **ERRORS},
    summary="Delete a webhook endpoint (pending deliveries are dropped)",
)
def delete_endpoint(request, endpoint_id: str):
    endpoint = selectors.webhook_endpoint_get(request.auth.tenant, endpoint_id)
    services.webhook_endpoint_delete(actor=request.auth, endpoint=endpoint)
    return Status(204, None)
