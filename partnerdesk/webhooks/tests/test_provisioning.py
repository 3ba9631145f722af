"""Point 4: a product's provisioning URL receives signed subscription events."""

import json
from datetime import timedelta

import pytest
from django.db import transaction

from partnerdesk.core.actors import Tenant
from partnerdesk.core.errors import DomainError
from partnerdesk.subscriptions import services as subscriptions
from partnerdesk.subscriptions.tests.factories import make_subscription
from partnerdesk.webhooks.delivery import deliver_due
from partnerdesk.webhooks.events import record_subscription_event
from partnerdesk.webhooks.models import Delivery, WebhookEndpoint
from partnerdesk.webhooks.selectors import webhook_endpoint_list
from partnerdesk.webhooks.services import provisioning_endpoint_configure, webhook_endpoint_rotate_secret
from partnerdesk.webhooks.verify import verify_signature


@pytest.fixture
def provisioned(product, receiver, allow_local):
    product.provisioning_url = receiver.url("/provision")
    product.save(update_fields=["provisioning_url"])
    return product


def received(receiver) -> list[tuple[str, str]]:
    return [(json.loads(r.body)["type"], json.loads(r.body)["data"]["status"]) for r in receiver.received]


def test_create_start_and_cancel_reach_the_provisioning_url_signed_with_the_product_secret(
    actor, vendor_actor, provisioned, annual_plan, receiver, now
):
    endpoint, secret = provisioning_endpoint_configure(actor=vendor_actor, product=provisioned, now=now)
    sub = make_subscription(actor, annual_plan, now=now, seats=4)
    sub, launch = subscriptions.subscription_start(actor=actor, subscription=sub, now=now)
    subscriptions.member_add(actor=actor, subscription=sub, email="a@kunde.example", now=now)  # not provisioning
    subscriptions.subscription_cancel(actor=actor, subscription=sub, now=now)

    assert deliver_due(now=now) == 3
    assert received(receiver) == [
        ("subscription.created", "active"),
        ("subscription.started", "active"),
        ("subscription.cancelled", "active"),
    ]
    for request in receiver.received:
        assert request.path == "/provision"
        assert verify_signature(request.body, request.headers["Partnerdesk-Signature"], secret)
    first = json.loads(receiver.received[0].body)["data"]
    assert (first["id"], first["product"], first["seats"], first["customer"]) == (
        sub.public_id,
        "axcrypt-business",
        4,
        sub.customer.public_id,
    )
    assert launch == f"https://axcrypt.example/start?subscription={sub.public_id}"
    assert set(Delivery.objects.values_list("endpoint", flat=True)) == {endpoint.pk}


def test_seat_changes_and_expiry_recorded_by_billing_reach_the_product(actor, provisioned, annual_plan, receiver, now):
    sub = make_subscription(actor, annual_plan, now=now)
    with transaction.atomic():
        record_subscription_event(type="subscription.seats_changed", subscription=sub, now=now)
        record_subscription_event(type="subscription.expired", subscription=sub, now=now)
        record_subscription_event(type="subscription.activated", subscription=sub, now=now)  # not provisioning
    deliver_due(now=now)
    assert [t for t, _ in received(receiver)] == [
        "subscription.created",
        "subscription.seats_changed",
        "subscription.expired",
    ]


def test_products_without_a_provisioning_url_get_nothing(actor, trial_plan, now):
    make_subscription(actor, trial_plan, now=now)
    assert (WebhookEndpoint.objects.count(), Delivery.objects.count()) == (0, 0)


def test_the_endpoint_follows_a_changed_provisioning_url(actor, provisioned, annual_plan, receiver, now):
    make_subscription(actor, annual_plan, now=now)
    provisioned.provisioning_url = receiver.url("/v2/provision")
    provisioned.save(update_fields=["provisioning_url"])
    make_subscription(actor, annual_plan, now=now)
    deliver_due(now=now)
    # Deliveries go to the URL of the moment they are sent, the pending first one included.
    assert [r.path for r in receiver.received] == ["/v2/provision", "/v2/provision"]
    assert WebhookEndpoint.objects.get().url == receiver.url("/v2/provision")


def test_only_the_vendor_configures_or_rotates_provisioning(actor, vendor_actor, provisioned, now):
    endpoint, secret = provisioning_endpoint_configure(actor=vendor_actor, product=provisioned, now=now)
    with pytest.raises(DomainError) as refused:
        provisioning_endpoint_configure(actor=actor, product=provisioned, now=now)
    assert refused.value.code == "permission_denied"
    with pytest.raises(DomainError) as refused:
        webhook_endpoint_rotate_secret(actor=actor, endpoint=endpoint, now=now)
    assert refused.value.code == "not_found"
    assert WebhookEndpoint.objects.get().secret == secret
    assert list(webhook_endpoint_list(Tenant.for_reseller(actor.reseller))) == []
    assert list(webhook_endpoint_list(Tenant.for_vendor())) == [endpoint]

    _, new = webhook_endpoint_rotate_secret(actor=vendor_actor, endpoint=endpoint, now=now)
    again, shown = provisioning_endpoint_configure(actor=vendor_actor, product=provisioned, now=now + timedelta(1))
    assert (again.pk, shown) == (endpoint.pk, new)


def test_a_product_endpoint_and_a_reseller_endpoint_each_get_their_copy(actor, provisioned, annual_plan, receiver, now):
    from partnerdesk.webhooks.services import webhook_endpoint_create

    webhook_endpoint_create(actor=actor, url=receiver.url("/reseller"), events=["subscription.created"], now=now)
    make_subscription(actor, annual_plan, now=now)
    deliver_due(now=now)
    assert sorted(r.path for r in receiver.received) == ["/provision", "/reseller"]
    ids = {r.headers["Partnerdesk-Delivery"] for r in receiver.received}
    assert len(ids) == 2  # one delivery per endpoint and event


def test_a_failing_provisioning_endpoint_is_disabled_and_the_vendor_told(
    actor, vendor, provisioned, annual_plan, receiver, now, django_capture_on_commit_callbacks
):
    from django.core import mail

    vendor.email = "ops@cloudwerk.example"
    vendor.save(update_fields=["email"])
    receiver.default = 500
    make_subscription(actor, annual_plan, now=now)
    delivery = Delivery.objects.get()
    at = now
    with django_capture_on_commit_callbacks(execute=True):
        while delivery.status == "pending":
            deliver_due(now=at)
            delivery.refresh_from_db()
            at = delivery.next_attempt_at or at
    endpoint = WebhookEndpoint.objects.get()
    assert (delivery.status, endpoint.enabled) == ("failed", False)
    [message] = mail.outbox
    assert message.to == ["ops@cloudwerk.example"]
