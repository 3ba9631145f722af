"""Reads for events, webhook endpoints and deliveries, always scoped to a tenant.

Resellers see their own; the vendor sees every event and the provisioning endpoints;
customers (the portal) see none of it. Another tenant's id is "not found".
"""

from __future__ import annotations

from django.db.models import QuerySet

from partnerdesk.core.actors import Tenant
from partnerdesk.core.errors import not_found
from partnerdesk.webhooks.models import PING, Delivery, DeliveryAttempt, Event, WebhookEndpoint


def event_list(tenant: Tenant, type: str | None = None) -> QuerySet[Event]:
    """Newest first. ``ping`` test events are left out unless asked for by type."""
    qs = Event.objects.select_related("reseller", "customer")
    if tenant.customer is not None:
        return qs.none()
    if not tenant.vendor:
        qs = qs.filter(reseller=tenant.reseller)
    qs = qs.filter(type=type) if type else qs.exclude(type=PING)
    return qs.order_by("-created_at", "-id")


def event_get(tenant: Tenant, public_id: str) -> Event:
    qs = Event.objects.filter(public_id=public_id)
    if tenant.customer is not None:
        raise not_found("event", "event")
    if not tenant.vendor:
        qs = qs.filter(reseller=tenant.reseller)
    event = qs.first()
    if event is None:
        raise not_found("event", "event")
    return event


def webhook_endpoint_list(tenant: Tenant) -> QuerySet[WebhookEndpoint]:
    """A reseller's endpoints, or (vendor) the products' provisioning endpoints; newest first."""
    qs = WebhookEndpoint.objects.filter(deleted_at__isnull=True).select_related("product")
    if tenant.customer is not None:
        return qs.none()
    if tenant.vendor:
        return qs.filter(product__isnull=False).order_by("-created_at", "-id")
    return qs.filter(reseller=tenant.reseller).order_by("-created_at", "-id")


def webhook_endpoint_get(tenant: Tenant, public_id: str) -> WebhookEndpoint:
    endpoint = webhook_endpoint_list(tenant).filter(public_id=public_id).first()
    if endpoint is None:
        raise not_found("webhook endpoint", "endpoint")
    return endpoint


def delivery_list(tenant: Tenant, *, endpoint: WebhookEndpoint, status: str | None = None) -> QuerySet[Delivery]:
    """The endpoint's deliveries, newest first (the console's delivery log)."""
    webhook_endpoint_get(tenant, endpoint.public_id)  # refuses another tenant's endpoint
    qs = Delivery.objects.filter(endpoint=endpoint).select_related("event")
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-created_at", "-id")


def delivery_get(tenant: Tenant, public_id: str) -> Delivery:
    delivery = Delivery.objects.select_related("event", "endpoint").filter(public_id=public_id).first()
    if delivery is None or not webhook_endpoint_list(tenant).filter(pk=delivery.endpoint_id).exists():
        raise not_found("delivery", "delivery")
    return delivery


def delivery_attempts(tenant: Tenant, delivery: Delivery) -> QuerySet[DeliveryAttempt]:
    """Every attempt of the delivery, newest first: status, duration, response excerpt, error."""
    delivery_get(tenant, delivery.public_id)
    return DeliveryAttempt.objects.filter(delivery=delivery).order_by("-attempted_at", "-id")


def webhook_endpoint_data(endpoint: WebhookEndpoint, *, secret: str | None = None) -> dict:
    """An endpoint as the API shows it; ``secret`` only in the answer that creates (or
    rotates) it: pass the secret the service returned."""
    data = {
        "id": endpoint.public_id,
        "url": endpoint.url,
        "events": endpoint.events,
        "description": endpoint.description,
        "enabled": endpoint.enabled,
        "disabled_reason": endpoint.disabled_reason,
        "created_at": endpoint.created_at,
    }
    if secret is not None:
        data["secret"] = secret
    return data
