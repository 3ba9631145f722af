"""Recording events: called by services inside the transaction of the change they report.

How to record an event from a service (inside its ``transaction.atomic()`` block, next to
``audit_record``)::

    from partnerdesk.webhooks.events import record_event, record_subscription_event

    record_event(type="customer.created", reseller=customer.reseller, customer=customer,
                 data=customer_data(customer), now=now)
    # Subscription events: builds ``data`` and also tells the product's provisioning URL
    # for the types in PROVISIONING_TYPES.
    record_subscription_event(type="subscription.seats_changed", subscription=locked, now=now)
    # Invoices: pass the invoice as the API shows it.
    record_event(type="invoice.issued", reseller=invoice.reseller, customer=invoice.customer,
                 data={...}, now=now)

The event and its deliveries (one per enabled endpoint of the reseller that subscribed to
the type, plus the product's provisioning endpoint) are written at once; the worker sends
them after commit. If the transaction rolls back, neither the event nor a delivery exists.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime, timedelta
from functools import cache
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction

from partnerdesk.catalog.models import Product
from partnerdesk.core import clock, rows
from partnerdesk.core.bulk import insert_rows, unsaved
from partnerdesk.webhooks.models import (
    EVENT_TYPES,
    PING,
    PROVISIONING_TYPES,
    Delivery,
    Event,
    WebhookEndpoint,
)

if TYPE_CHECKING:
    from partnerdesk.accounts.models import Reseller
    from partnerdesk.customers.models import Customer
    from partnerdesk.subscriptions.models import Member, Subscription

logger = logging.getLogger(__name__)

# Failed deliveries are retried for (at least) this long after the event (issue 7: 72 h).
RETRY_WINDOW = timedelta(hours=72)


def _json_ready(data: dict) -> dict:
    """``data`` as it will be stored and sent: datetimes as ISO strings, Decimals as strings."""
    return json.loads(json.dumps(data, cls=DjangoJSONEncoder))


def record_event(
    *,
    type: str,
    reseller: Reseller | None,
    data: dict[str, Any],
    customer: Customer | None = None,
    product: Product | None = None,
    now: datetime | None = None,
) -> Event:
    """Append an event and its deliveries. Must run inside the change's transaction.

    ``reseller`` is the tenant whose endpoints may receive it; ``product`` (for
    subscription events) routes the provisioning types to the product's provisioning URL.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("record_event must run inside the change's transaction")
    if type not in EVENT_TYPES:
        raise ValueError(f"unknown event type {type!r}")
    now = clock.resolve(now)
    event = Event.objects.create(
        type=type, reseller=reseller, customer=customer, data=_json_ready(data), created_at=now
    )
    endpoints: list[WebhookEndpoint] = []
    if reseller is not None:
        endpoints += [
            endpoint
            for endpoint in WebhookEndpoint.objects.filter(reseller=reseller, enabled=True).order_by("id")
            if endpoint.wants(type)
        ]
    if product is not None and type in PROVISIONING_TYPES and product.provisioning_url:
        endpoint = provisioning_endpoint_for(product, now=now)
        if endpoint.enabled:
            endpoints.append(endpoint)
    Delivery.objects.bulk_create(
        [
            Delivery(
                event=event,
                endpoint=endpoint,
                next_attempt_at=now,
                retry_until=now + RETRY_WINDOW,
                created_at=now,
            )
            for endpoint in endpoints
        ]
    )
    if endpoints:
        send_after_commit()
    return event


def _kick() -> None:
    from partnerdesk.webhooks.tasks import send_webhooks_now

    try:
        send_webhooks_now()
    except Exception:  # the queue is down: the every-minute job sends them
        logger.exception("could not enqueue webhook delivery; the periodic job will send it")


def send_after_commit() -> None:
    """Have the new deliveries sent as soon as the transaction commits: one job per
    transaction, however many events it recorded (the every-minute job is the safety net).
    Off with ``settings.WEBHOOKS_SEND_ON_COMMIT = False`` (the tests send explicitly)."""
    if not settings.WEBHOOKS_SEND_ON_COMMIT:
        return
    connection = transaction.get_connection()
    if any(callback is _kick for _, callback, *_ in connection.run_on_commit):
        return
    transaction.on_commit(_kick)


def webhook_endpoints_of(reseller_ids: set[int]) -> dict[int, list[WebhookEndpoint]]:
    """The enabled endpoints of these resellers, by reseller, oldest first (for
    :func:`record_events`)."""
    endpoints_of: dict[int, list[WebhookEndpoint]] = {}
    if len(reseller_ids) == 1:
        # One reseller (every single change): a fixed statement (core/rows.py), read while the
        # change holds its lock; the ORM's compiling of it cost more than running it.
        (reseller_id,) = reseller_ids
        found = [rows.instance(WebhookEndpoint, row) for row in rows.fetch(_endpoints_sql(), [reseller_id, True])]
    else:
        found = WebhookEndpoint.objects.filter(reseller_id__in=reseller_ids, enabled=True).order_by("id")
    for endpoint in found:
        endpoints_of.setdefault(endpoint.reseller_id, []).append(endpoint)
    return endpoints_of


@cache
def _endpoints_sql() -> str:
    table = connection.ops.quote_name(WebhookEndpoint._meta.db_table)
    return (
        f"SELECT {rows.columns(WebhookEndpoint, 'e')} FROM {table} e "
        "WHERE e.reseller_id = %s AND e.enabled = %s ORDER BY e.id"
    )


def record_events(
    events: list[Event],
    *,
    products: list[Product | None] | None = None,
    endpoints_of: dict[int, list[WebhookEndpoint]] | None = None,
) -> list[Event]:
    """Append many unsaved events (and their deliveries) at once, for changes made in bulk
    (the billing run). Same rules as :func:`record_event`: inside the change's
    transaction; ``products[i]`` routes ``events[i]`` to a provisioning URL.

    ``endpoints_of``: :func:`webhook_endpoints_of` the events' resellers, read earlier in the
    same transaction by a caller that would otherwise read them while holding a lock every
    other writer waits for (the seat top-up reads them before taking the invoice number)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("record_events must run inside the change's transaction")
    for event in events:
        if event.type not in EVENT_TYPES:
            raise ValueError(f"unknown event type {event.type!r}")
    if endpoints_of is None:
        endpoints_of = webhook_endpoints_of({event.reseller_id for event in events if event.reseller_id is not None})
    targets_of = []
    for index, event in enumerate(events):
        targets = [e for e in endpoints_of.get(event.reseller_id, []) if e.wants(event.type)]
        product = products[index] if products else None
        if product is not None and event.type in PROVISIONING_TYPES and product.provisioning_url:
            endpoint = provisioning_endpoint_for(product, now=event.created_at)
            if endpoint.enabled:
                targets.append(endpoint)
        targets_of.append(targets)
    # event.data is stored through the field's DjangoJSONEncoder, as _json_ready would make
    # it; these events are not read back from memory, so no round trip here. Their ids are
    # read back only for deliveries to point at (in a pipelined block, a read waits).
    insert_rows(events, returning_ids=any(targets_of))
    deliveries = [
        unsaved(
            Delivery,
            event=event,
            endpoint=endpoint,
            next_attempt_at=event.created_at,
            retry_until=event.created_at + RETRY_WINDOW,
            created_at=event.created_at,
        )
        for event, targets in zip(events, targets_of, strict=True)
        for endpoint in targets
    ]
    insert_rows(deliveries)
    if deliveries:
        send_after_commit()
    return events


def provisioning_endpoint_for(product: Product, *, now: datetime) -> WebhookEndpoint:
    """The product's provisioning endpoint, created with a fresh secret on first use and
    kept pointing at ``product.provisioning_url``. The vendor reads or rotates the secret
    with ``services.provisioning_endpoint_configure``/``webhook_endpoint_rotate_secret``."""
    from partnerdesk.webhooks.services import new_secret

    endpoint = WebhookEndpoint.objects.filter(product=product).first()
    if endpoint is None:
        # The product's first changes may race to create it: the database keeps one (one per
        # product) and ignores the others, with no error to recover from (get_or_create's
        # rolled-back savepoint cannot recover inside a pipelined block, core/bulk.py).
        new = WebhookEndpoint(
            product=product,
            url=product.provisioning_url,
            events=sorted(PROVISIONING_TYPES),
            secret=new_secret(),
            created_at=now,
            description=f"Provisioning for {product.name}",
        )
        WebhookEndpoint.objects.bulk_create([new], ignore_conflicts=True)
        endpoint = WebhookEndpoint.objects.get(product=product)
    if endpoint.url != product.provisioning_url:
        WebhookEndpoint.objects.filter(pk=endpoint.pk).update(url=product.provisioning_url)
        endpoint.url = product.provisioning_url
    return endpoint


def record_ping(*, endpoint: WebhookEndpoint, now: datetime) -> Delivery:
    """A ``ping`` event for one endpoint only (never fanned out), delivered like any other."""
    event = Event.objects.create(
        type=PING,
        reseller=endpoint.reseller,
        data={"endpoint": endpoint.public_id, "url": endpoint.url},
        created_at=now,
    )
    return Delivery.objects.create(
        event=event, endpoint=endpoint, next_attempt_at=now, retry_until=now + RETRY_WINDOW, created_at=now
    )


# The data of events: objects as the API shows them ------------------------------------------


def event_api_data(event: Event) -> dict[str, Any]:
    """An event as ``GET /api/v1/events`` shows it (API.md: id, type, created_at, data)."""
    return {"id": event.public_id, "type": event.type, "created_at": event.created_at, "data": event.data}


def customer_data(customer: Customer) -> dict[str, Any]:
    return {
        "id": customer.public_id,
        "object": "customer",
        "company_name": customer.company_name,
        "contact_name": customer.contact_name,
        "contact_email": customer.contact_email,
        "domain": customer.domain,
        "country": customer.country,
        "vat_id": customer.vat_id,
        "status": customer.status,
        "created_at": customer.created_at,
    }


def subscription_data(subscription: Subscription) -> dict[str, Any]:
    plan = subscription.plan
    return {
        "id": subscription.public_id,
        "object": "subscription",
        "customer": subscription.customer.public_id,
        "reseller": subscription.reseller.public_id,
        "product": plan.product.code,
        "plan": plan.code,
        "status": subscription.status,
        "seats": subscription.seats,
        "assigned": subscription.assigned,
        "pending_seats": subscription.pending_seats,
        "trial_ends_at": subscription.trial_ends_at,
        "current_period_start": subscription.current_period_start,
        "current_period_end": subscription.current_period_end,
        "next_payment_date": subscription.next_payment_date,
        "cancel_at_period_end": subscription.cancel_at_period_end,
        "started_at": subscription.started_at,
        "ended_at": subscription.ended_at,
        "archived": subscription.archived,
        "created_at": subscription.created_at,
    }


def member_data(member: Member, subscription: Subscription) -> dict[str, Any]:
    return {
        "id": member.public_id,
        "object": "member",
        "subscription": subscription.public_id,
        "email": member.email,
        "status": member.status,
    }


def subscription_event(
    *, type: str, subscription: Subscription, now: datetime, extra: dict[str, Any] | None = None
) -> Event:
    """The unsaved subscription event of :func:`record_subscription_event`, for
    :func:`record_events` (with ``products=[subscription.plan.product]``, so the product's
    provisioning URL hears of it as well)."""
    return unsaved(
        Event,
        type=type,
        reseller_id=subscription.reseller_id,
        customer_id=subscription.customer_id,
        data={**subscription_data(subscription), **(extra or {})},
        created_at=now,
    )


def record_subscription_event(
    *, type: str, subscription: Subscription, now: datetime | None = None, extra: dict[str, Any] | None = None
) -> Event:
    """Record a subscription event with the subscription's API data (plus ``extra``, e.g.
    a seat change's ``effective`` and ``previous_seats``); also notifies the product's
    provisioning URL for the provisioning types."""
    return record_event(
        type=type,
        reseller=subscription.reseller,
        customer=subscription.customer,
        product=subscription.plan.product,
        data={**subscription_data(subscription), **(extra or {})},
        now=now,
    )
