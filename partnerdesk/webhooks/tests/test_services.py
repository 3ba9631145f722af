"""Endpoint management: create (secret shown once), delete, rotate; tenant scoping."""

from datetime import timedelta

import pytest

from partnerdesk.audit.models import AuditEvent
from partnerdesk.core.actors import Actor, Tenant
from partnerdesk.core.errors import DomainError
from partnerdesk.customers.tests.factories import make_customer
from partnerdesk.webhooks.delivery import signing_secrets
from partnerdesk.webhooks.models import Delivery, WebhookEndpoint
from partnerdesk.webhooks.selectors import webhook_endpoint_get, webhook_endpoint_list
from partnerdesk.webhooks.services import (
    MAX_ENDPOINTS_PER_RESELLER,
    webhook_endpoint_create,
    webhook_endpoint_delete,
    webhook_endpoint_rotate_secret,
)

URL = "https://hooks.isar.example/partnerdesk"


def test_create_returns_the_secret_once_and_audits_without_it(actor, now):
    endpoint, secret = webhook_endpoint_create(
        actor=actor, url=URL, events=["member.removed", "member.added", "member.added"], now=now
    )
    assert secret.startswith("whsec_") and len(secret) > 40
    assert endpoint.public_id.startswith("we_")
    assert (endpoint.url, endpoint.events, endpoint.enabled, endpoint.reseller) == (
        URL,
        ["member.added", "member.removed"],
        True,
        actor.reseller,
    )
    entry = AuditEvent.objects.get(action="webhook_endpoint.create")
    assert entry.after == {"url": URL, "events": ["member.added", "member.removed"], "enabled": True}
    assert secret not in str(entry.after)


@pytest.mark.parametrize(
    "events",
    [[], "member.added", ["member.exploded"], ["ping"], None],
    ids=["empty", "not-a-list", "unknown", "ping-is-not-subscribable", "none"],
)
def test_bad_event_lists_are_refused(actor, now, events):
    with pytest.raises(DomainError) as refused:
        webhook_endpoint_create(actor=actor, url=URL, events=events, now=now)
    assert (refused.value.code, refused.value.param) == ("invalid_request", "events")
    assert WebhookEndpoint.objects.count() == 0


def test_viewers_and_the_vendor_cannot_create_reseller_endpoints(reseller_and_user, vendor_actor, now):
    reseller, user = reseller_and_user
    viewer = Actor.reseller_user(user, reseller, "viewer")
    for who in (viewer, vendor_actor):
        with pytest.raises(DomainError) as refused:
            webhook_endpoint_create(actor=who, url=URL, events=["*"], now=now)
        assert refused.value.code == "permission_denied"
    assert WebhookEndpoint.objects.count() == 0


def test_at_most_16_endpoints_per_reseller(actor, other_actor, now):
    for n in range(MAX_ENDPOINTS_PER_RESELLER):
        webhook_endpoint_create(actor=actor, url=f"{URL}/{n}", events=["*"], now=now)
    with pytest.raises(DomainError) as refused:
        webhook_endpoint_create(actor=actor, url=URL, events=["*"], now=now)
    assert refused.value.code == "conflict"
    webhook_endpoint_create(actor=other_actor, url=URL, events=["*"], now=now)  # per reseller
    assert WebhookEndpoint.objects.filter(reseller=actor.reseller).count() == MAX_ENDPOINTS_PER_RESELLER


def test_delete_stops_deliveries_and_hides_the_endpoint(actor, now):
    endpoint, _ = webhook_endpoint_create(actor=actor, url=URL, events=["*"], now=now)
    make_customer(actor, now=now)
    webhook_endpoint_delete(actor=actor, endpoint=endpoint, now=now)
    tenant = Tenant.for_reseller(actor.reseller)
    assert list(webhook_endpoint_list(tenant)) == []
    assert list(Delivery.objects.values_list("status", "next_attempt_at")) == [("failed", None)]
    make_customer(actor, now=now, name="Spaeter GmbH")
    assert Delivery.objects.count() == 1
    with pytest.raises(DomainError) as refused:
        webhook_endpoint_delete(actor=actor, endpoint=endpoint, now=now)
    assert refused.value.code == "not_found"


def test_another_reseller_cannot_see_delete_or_rotate_an_endpoint(actor, other_actor, now):
    endpoint, secret = webhook_endpoint_create(actor=actor, url=URL, events=["*"], now=now)
    with pytest.raises(DomainError) as refused:
        webhook_endpoint_get(Tenant.for_reseller(other_actor.reseller), endpoint.public_id)
    assert refused.value.code == "not_found"
    for service in (webhook_endpoint_delete, webhook_endpoint_rotate_secret):
        with pytest.raises(DomainError) as refused:
            service(actor=other_actor, endpoint=endpoint, now=now)
        assert refused.value.code == "not_found"
    fresh = WebhookEndpoint.objects.get()
    assert (fresh.secret, fresh.enabled, fresh.deleted_at) == (secret, True, None)
    assert list(webhook_endpoint_list(Tenant.for_reseller(other_actor.reseller))) == []


def test_rotation_keeps_the_old_secret_signing_for_24_hours(actor, now):
    endpoint, first = webhook_endpoint_create(actor=actor, url=URL, events=["*"], now=now)
    endpoint, second = webhook_endpoint_rotate_secret(actor=actor, endpoint=endpoint, now=now)
    assert signing_secrets(endpoint, now) == [second, first]
    assert signing_secrets(endpoint, now + timedelta(hours=23, minutes=59)) == [second, first]
    assert signing_secrets(endpoint, now + timedelta(hours=24)) == [second]

    later = now + timedelta(hours=1)
    endpoint, third = webhook_endpoint_rotate_secret(actor=actor, endpoint=endpoint, now=later)
    assert signing_secrets(endpoint, later) == [third, second]  # two secrets at most
    entry = AuditEvent.objects.filter(action="webhook_endpoint.rotate_secret").first()
    assert third not in str(entry.after) and second not in str(entry.after)


def test_api_representations(actor, now):
    from partnerdesk.webhooks.events import event_api_data
    from partnerdesk.webhooks.models import Event
    from partnerdesk.webhooks.selectors import webhook_endpoint_data

    endpoint, secret = webhook_endpoint_create(actor=actor, url=URL, events=["*"], now=now)
    assert webhook_endpoint_data(endpoint, secret=secret) == {
        "id": endpoint.public_id,
        "url": URL,
        "events": ["*"],
        "description": "",
        "enabled": True,
        "disabled_reason": "",
        "created_at": now,
        "secret": secret,
    }
    assert "secret" not in webhook_endpoint_data(endpoint)
    customer = make_customer(actor, now=now)
    event = Event.objects.get()
    assert event_api_data(event) == {
        "id": event.public_id,
        "type": "customer.created",
        "created_at": now,
        "data": event.data,
    }
    assert event.data["id"] == customer.public_id


def test_update_changes_url_and_events_and_keeps_the_secret(actor, other_actor, now):
    from partnerdesk.webhooks.services import webhook_endpoint_update

    endpoint, secret = webhook_endpoint_create(actor=actor, url=URL, events=["*"], now=now)
    updated = webhook_endpoint_update(
        actor=actor, endpoint=endpoint, url="https://new.isar.example/pd", events=["invoice.paid"], now=now
    )
    assert (updated.url, updated.events, updated.secret) == ("https://new.isar.example/pd", ["invoice.paid"], secret)
    entry = AuditEvent.objects.get(action="webhook_endpoint.update")
    assert (entry.before["url"], entry.after["url"]) == (URL, "https://new.isar.example/pd")

    for kwargs, code in [
        ({"actor": other_actor, "url": "https://polder.example/"}, "not_found"),
        ({"actor": actor, "url": "https://10.0.0.1/"}, "invalid_request"),
        ({"actor": actor, "events": ["nope"]}, "invalid_request"),
    ]:
        with pytest.raises(DomainError) as refused:
            webhook_endpoint_update(endpoint=endpoint, now=now, **kwargs)
        assert refused.value.code == code
    fresh = WebhookEndpoint.objects.get()
    assert (fresh.url, fresh.events) == ("https://new.isar.example/pd", ["invoice.paid"])
    assert AuditEvent.objects.filter(action="webhook_endpoint.update").count() == 1
