"""Writes for webhook endpoints: create, delete, rotate the secret, re-enable, ping,
redeliver; and the vendor's provisioning endpoints. Each audited in its transaction.

Reseller endpoints belong to the actor's reseller (another reseller's endpoint is "not
found"); provisioning endpoints belong to the vendor.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from django.db import transaction

from partnerdesk.audit.services import audit_record
from partnerdesk.catalog.models import Product
from partnerdesk.core import clock
from partnerdesk.core.actors import Actor
from partnerdesk.core.errors import conflict, forbidden, invalid, not_found
from partnerdesk.webhooks import ssrf
from partnerdesk.webhooks.events import provisioning_endpoint_for, record_ping
from partnerdesk.webhooks.models import ALL_TYPES, EVENT_TYPES, Delivery, WebhookEndpoint

# Both secrets sign for this long after a rotation, so receivers can switch without loss.
ROTATION_OVERLAP = timedelta(hours=24)
MAX_ENDPOINTS_PER_RESELLER = 16


def new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


def _clean_events(events: object) -> list[str]:
    if isinstance(events, str) or not isinstance(events, list | tuple) or not events:
        raise invalid("events must be a non-empty list of event types (or ['*'] for all).", "events")
    clean: list[str] = []
    for event_type in events:
        if event_type != ALL_TYPES and event_type not in EVENT_TYPES:
            raise invalid(f"Unknown event type {event_type!r}.", "events")
        if event_type not in clean:
            clean.append(event_type)
    return [ALL_TYPES] if ALL_TYPES in clean else sorted(clean)


def _endpoint_snapshot(endpoint: WebhookEndpoint) -> dict:
    # Never the secret: the audit log is read by more people than the endpoint's owner.
    return {"url": endpoint.url, "events": endpoint.events, "enabled": endpoint.enabled}


def _require_owner(actor: Actor, endpoint: WebhookEndpoint) -> None:
    """Refuse unless the actor manages this endpoint; another tenant's is not found."""
    if endpoint.deleted_at is not None:
        raise not_found("webhook endpoint", "endpoint")
    if endpoint.product_id is not None:
        if not actor.tenant.vendor:
            raise not_found("webhook endpoint", "endpoint")
        return
    if actor.tenant.vendor:
        raise forbidden("Reseller webhook endpoints are managed by the reseller.")
    if actor.reseller is None or endpoint.reseller_id != actor.reseller.pk:
        raise not_found("webhook endpoint", "endpoint")
    actor.require("manage")


def _lock(endpoint: WebhookEndpoint) -> WebhookEndpoint:
    return WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)


def webhook_endpoint_create(
    *, actor: Actor, url: str, events: list[str], description: str = "", now: datetime | None = None
) -> tuple[WebhookEndpoint, str]:
    """Add an endpoint for the actor's reseller. Returns the endpoint and its signing
    secret, which is shown this once."""
    actor.require("manage")
    reseller = actor.reseller
    if reseller is None:
        raise forbidden("Only a reseller can add webhook endpoints.")
    url = ssrf.validate_url(url)
    clean_events = _clean_events(events)
    now = clock.resolve(now)
    secret = new_secret()
    with transaction.atomic():
        # Lock the reseller's endpoints so two concurrent creates cannot both pass the limit.
        existing = list(
            WebhookEndpoint.objects.select_for_update()
            .filter(reseller=reseller, deleted_at__isnull=True)
            .order_by("pk")
        )
        if len(existing) >= MAX_ENDPOINTS_PER_RESELLER:
            raise conflict(f"At most {MAX_ENDPOINTS_PER_RESELLER} webhook endpoints per reseller.", "url")
        endpoint = WebhookEndpoint.objects.create(
            reseller=reseller,
            url=url,
            events=clean_events,
            description=(description or "").strip()[:200],
            secret=secret,
            created_at=now,
        )
        audit_record(
            actor=actor, action="webhook_endpoint.create", obj=endpoint, after=_endpoint_snapshot(endpoint), now=now
        )
    return endpoint, secret


def webhook_endpoint_update(
    *,
    actor: Actor,
    endpoint: WebhookEndpoint,
    url: str | None = None,
    events: list[str] | None = None,
    description: str | None = None,
    now: datetime | None = None,
) -> WebhookEndpoint:
    """Change an endpoint's URL, event types or description (None keeps the value). The
    secret stays; pending deliveries go to the new URL."""
    _require_owner(actor, endpoint)
    if endpoint.product_id is not None and url is not None:
        raise invalid("A provisioning endpoint follows the product's provisioning URL.", "url")
    clean: dict = {}
    if url is not None:
        clean["url"] = ssrf.validate_url(url)
    if events is not None:
        clean["events"] = _clean_events(events)
    if description is not None:
        clean["description"] = description.strip()[:200]
    now = clock.resolve(now)
    with transaction.atomic():
        locked = _lock(endpoint)
        if locked.deleted_at is not None:
            raise not_found("webhook endpoint", "endpoint")
        changed = {name: value for name, value in clean.items() if getattr(locked, name) != value}
        if not changed:
            return locked
        before = _endpoint_snapshot(locked)
        for name, value in changed.items():
            setattr(locked, name, value)
        locked.save(update_fields=list(changed))
        audit_record(
            actor=actor,
            action="webhook_endpoint.update",
            obj=locked,
            reseller=locked.reseller,
            before=before,
            after=_endpoint_snapshot(locked),
            now=now,
        )
    return locked


def webhook_endpoint_delete(*, actor: Actor, endpoint: WebhookEndpoint, now: datetime | None = None) -> None:
    """Remove an endpoint: nothing more is sent to it. Its delivery log is kept (the row is
    marked deleted), so a worker in the middle of a send can still log the attempt."""
    _require_owner(actor, endpoint)
    now = clock.resolve(now)
    with transaction.atomic():
        locked = _lock(endpoint)
        if locked.deleted_at is not None:
            raise not_found("webhook endpoint", "endpoint")
        before = _endpoint_snapshot(locked)
        locked.deleted_at = now
        locked.enabled = False
        locked.save(update_fields=["deleted_at", "enabled"])
        Delivery.objects.filter(endpoint=locked, status=Delivery.Status.PENDING).update(
            status=Delivery.Status.FAILED, next_attempt_at=None, claim_token=""
        )
        audit_record(
            actor=actor,
            action="webhook_endpoint.delete",
            obj=locked,
            reseller=locked.reseller,
            before=before,
            now=now,
        )


def webhook_endpoint_rotate_secret(
    *, actor: Actor, endpoint: WebhookEndpoint, now: datetime | None = None
) -> tuple[WebhookEndpoint, str]:
    """A new signing secret, returned this once. For 24 hours requests are signed with
    both the new and the previous secret (two ``v1=`` entries). Rotating again within
    those 24 hours drops the oldest secret at once."""
    _require_owner(actor, endpoint)
    now = clock.resolve(now)
    secret = new_secret()
    with transaction.atomic():
        locked = _lock(endpoint)
        locked.previous_secret = locked.secret
        locked.previous_secret_expires_at = now + ROTATION_OVERLAP
        locked.secret = secret
        locked.save(update_fields=["secret", "previous_secret", "previous_secret_expires_at"])
        audit_record(
            actor=actor,
            action="webhook_endpoint.rotate_secret",
            obj=locked,
            reseller=locked.reseller,
            after={"previous_secret_expires_at": locked.previous_secret_expires_at},
            now=now,
        )
    return locked, secret


def webhook_endpoint_enable(*, actor: Actor, endpoint: WebhookEndpoint, now: datetime | None = None) -> WebhookEndpoint:
    """Turn a disabled endpoint back on; its pending deliveries are sent again from now."""
    _require_owner(actor, endpoint)
    now = clock.resolve(now)
    with transaction.atomic():
        locked = _lock(endpoint)
        if locked.enabled:
            return locked
        before = _endpoint_snapshot(locked)
        locked.enabled = True
        locked.disabled_at = None
        locked.disabled_reason = ""
        locked.consecutive_failures = 0
        locked.failing_since = None
        locked.save(
            update_fields=["enabled", "disabled_at", "disabled_reason", "consecutive_failures", "failing_since"]
        )
        Delivery.objects.filter(endpoint=locked, status=Delivery.Status.PENDING).update(next_attempt_at=now)
        audit_record(
            actor=actor,
            action="webhook_endpoint.enable",
            obj=locked,
            reseller=locked.reseller,
            before=before,
            after=_endpoint_snapshot(locked),
            now=now,
        )
    return locked


def webhook_endpoint_ping(*, actor: Actor, endpoint: WebhookEndpoint, now: datetime | None = None) -> Delivery:
    """Queue a ``ping`` test event for this endpoint alone; returns its delivery."""
    _require_owner(actor, endpoint)
    now = clock.resolve(now)
    with transaction.atomic():
        locked = _lock(endpoint)
        if not locked.enabled:
            raise conflict("This endpoint is disabled; enable it first.", "endpoint")
        delivery = record_ping(endpoint=locked, now=now)
        audit_record(actor=actor, action="webhook_endpoint.ping", obj=locked, reseller=locked.reseller, now=now)
    return delivery


def delivery_redeliver(*, actor: Actor, delivery: Delivery, now: datetime | None = None) -> Delivery:
    """Send a delivery again now, whatever happened to it before (same delivery id, so the
    receiver can tell it is a repeat). Within the 72 hours after the event a failed
    redelivery is retried as usual; after them it is tried this once."""
    _require_owner(actor, delivery.endpoint)
    now = clock.resolve(now)
    with transaction.atomic():
        endpoint = _lock(delivery.endpoint)
        locked = Delivery.objects.select_for_update().get(pk=delivery.pk)
        if not endpoint.enabled:
            raise conflict("This endpoint is disabled; enable it first.", "endpoint")
        before = {"status": locked.status, "attempts": locked.attempts}
        locked.status = Delivery.Status.PENDING
        locked.next_attempt_at = now
        locked.claim_token = ""
        if locked.retry_until < now:
            locked.retry_until = now
        locked.save(update_fields=["status", "next_attempt_at", "claim_token", "retry_until"])
        audit_record(
            actor=actor,
            action="delivery.redeliver",
            obj=locked,
            reseller=endpoint.reseller,
            before=before,
            after={"status": locked.status},
            now=now,
        )
    return locked


def provisioning_endpoint_configure(
    *, actor: Actor, product: Product, now: datetime | None = None
) -> tuple[WebhookEndpoint, str]:
    """The vendor's view of a product's provisioning endpoint (created if missing, URL taken
    from ``product.provisioning_url``) with its current signing secret: vendor staff may
    read it at any time to configure the product's side."""
    if not actor.tenant.vendor:
        raise forbidden("Only vendor staff configure product provisioning.")
    if not product.provisioning_url:
        raise invalid("The product has no provisioning URL.", "provisioning_url")
    ssrf.validate_url(product.provisioning_url, "provisioning_url")
    now = clock.resolve(now)
    with transaction.atomic():
        endpoint = provisioning_endpoint_for(product, now=now)
        audit_record(
            actor=actor,
            action="provisioning_endpoint.configure",
            obj=endpoint,
            reseller=None,
            after={"product": product.code, "url": endpoint.url},
            now=now,
        )
    return endpoint, endpoint.secret
