"""Point 1: every change records its event in the same transaction, with its deliveries."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction

from partnerdesk.core.actors import Tenant
from partnerdesk.core.errors import DomainError
from partnerdesk.customers.tests.factories import make_customer
from partnerdesk.subscriptions import services as subscriptions
from partnerdesk.subscriptions.tests.factories import make_subscription
from partnerdesk.webhooks.events import record_event, webhook_endpoints_of
from partnerdesk.webhooks.models import Delivery, Event, WebhookEndpoint
from partnerdesk.webhooks.selectors import event_get, event_list
from partnerdesk.webhooks.services import webhook_endpoint_create, webhook_endpoint_ping


def types(tenant: Tenant) -> list[str]:
    return list(event_list(tenant).order_by("id").values_list("type", flat=True))


def test_customer_created_event_carries_the_customer(actor, now):
    customer = make_customer(actor, now=now)
    event = Event.objects.get()
    assert (event.type, event.reseller, event.customer, event.created_at) == (
        "customer.created",
        actor.reseller,
        customer,
        now,
    )
    assert event.public_id.startswith("evt_")
    assert event.data == {
        "id": customer.public_id,
        "object": "customer",
        "company_name": "Amstel Logistiek B.V.",
        "contact_name": "Sophie Bakker",
        "contact_email": "it@amstel.example",
        "domain": "amstel.example",
        "country": "NL",
        "vat_id": "",
        "status": "active",
        "created_at": "2026-03-10T09:30:00Z",
    }


def test_subscription_lifecycle_records_each_event(actor, trial_plan, now):
    sub = make_subscription(actor, trial_plan, now=now, seats=3)
    subscriptions.subscription_start(actor=actor, subscription=sub, now=now)
    subscriptions.subscription_start(actor=actor, subscription=sub, now=now)  # started once only
    member = subscriptions.member_add(actor=actor, subscription=sub, email="anna@kunde.example", now=now)
    subscriptions.member_remove(actor=actor, subscription=sub, member=member, now=now)
    subscriptions.subscription_activate(actor=actor, subscription=sub, now=now + timedelta(days=14))

    assert types(Tenant.for_reseller(actor.reseller)) == [
        "customer.created",
        "subscription.created",
        "subscription.started",
        "member.added",
        "member.removed",
        "subscription.activated",
        "invoice.issued",  # the first paid period's, in the activation's transaction
    ]
    created = Event.objects.get(type="subscription.created")
    assert created.data["id"] == sub.public_id
    assert (created.data["status"], created.data["seats"], created.data["plan"]) == ("trial", 3, trial_plan.code)
    assert created.data["trial_ends_at"] == "2026-03-24T09:30:00Z"
    added = Event.objects.get(type="member.added")
    assert added.data == {
        "id": member.public_id,
        "object": "member",
        "subscription": sub.public_id,
        "email": "anna@kunde.example",
        "status": "invited",
    }
    assert Event.objects.get(type="subscription.activated").data["status"] == "active"


@pytest.mark.parametrize(
    ("plan_fixture", "status", "at_period_end"),
    [("trial_plan", "cancelled", False), ("annual_plan", "active", True)],
    ids=["trial-ends-at-once", "paid-runs-to-period-end"],
)
def test_cancelling_records_subscription_cancelled(request, actor, now, plan_fixture, status, at_period_end):
    sub = make_subscription(actor, request.getfixturevalue(plan_fixture), now=now)
    subscriptions.subscription_cancel(actor=actor, subscription=sub, reason="zu teuer", now=now)
    event = Event.objects.get(type="subscription.cancelled")
    assert (event.data["status"], event.data["cancel_at_period_end"]) == (status, at_period_end)


def test_a_refused_change_records_no_event(actor, annual_plan, now):
    sub = make_subscription(actor, annual_plan, now=now, seats=1)
    subscriptions.member_add(actor=actor, subscription=sub, email="a@kunde.example", now=now)
    before = Event.objects.count()
    with pytest.raises(DomainError):
        subscriptions.member_add(actor=actor, subscription=sub, email="b@kunde.example", now=now)
    assert Event.objects.count() == before


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_change_leaves_neither_event_nor_delivery(actor, now, settings):
    settings.WEBHOOK_ALLOW_HOSTS = ["hooks.isar.example"]
    webhook_endpoint_create(actor=actor, url="https://hooks.isar.example/pd", events=["*"], now=now)

    class Boom(Exception):
        pass

    with pytest.raises(Boom), transaction.atomic():
        make_customer(actor, now=now)
        assert Delivery.objects.count() == 1
        raise Boom
    assert (Event.objects.count(), Delivery.objects.count()) == (0, 0)


@pytest.mark.django_db(transaction=True)
def test_record_event_outside_a_transaction_is_a_bug(actor, now):
    with pytest.raises(RuntimeError):
        record_event(type="customer.created", reseller=actor.reseller, data={}, now=now)
    assert Event.objects.count() == 0


def test_unknown_event_type_is_refused(actor, now):
    with pytest.raises(ValueError), transaction.atomic():
        record_event(type="customer.exploded", reseller=actor.reseller, data={}, now=now)
    assert Event.objects.count() == 0


def test_events_cannot_be_changed_or_deleted(actor, now):
    make_customer(actor, now=now)
    event = Event.objects.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        Event.objects.filter(pk=event.pk).update(type="invoice.paid")
    with pytest.raises(IntegrityError), transaction.atomic():
        Event.objects.filter(pk=event.pk).delete()
    assert Event.objects.get().type == "customer.created"


def test_fan_out_goes_to_the_endpoints_that_asked_for_the_type(actor, other_actor, annual_plan, now):
    everything, _ = webhook_endpoint_create(actor=actor, url="https://a.isar.example/", events=["*"], now=now)
    members, _ = webhook_endpoint_create(
        actor=actor, url="https://b.isar.example/", events=["member.added", "member.removed"], now=now
    )
    theirs, _ = webhook_endpoint_create(actor=other_actor, url="https://polder.example/", events=["*"], now=now)
    sub = make_subscription(actor, annual_plan, now=now)
    subscriptions.member_add(actor=actor, subscription=sub, email="a@kunde.example", now=now)

    def received(endpoint):
        return list(
            Delivery.objects.filter(endpoint=endpoint).order_by("id").values_list("event__type", "status", "attempts")
        )

    assert received(everything) == [
        ("customer.created", "pending", 0),
        ("subscription.created", "pending", 0),
        ("invoice.issued", "pending", 0),  # the first period's invoice
        ("member.added", "pending", 0),
    ]
    assert received(members) == [("member.added", "pending", 0)]
    assert received(theirs) == []
    delivery = Delivery.objects.filter(endpoint=members).get()
    assert (delivery.next_attempt_at, delivery.retry_until) == (now, now + timedelta(hours=72))


def test_disabled_endpoints_get_no_new_deliveries(actor, now):
    endpoint, _ = webhook_endpoint_create(actor=actor, url="https://a.isar.example/", events=["*"], now=now)
    endpoint.enabled = False
    endpoint.save(update_fields=["enabled"])
    make_customer(actor, now=now)
    assert Delivery.objects.count() == 0


def test_event_list_is_scoped_to_the_tenant(actor, other_actor, vendor_actor, now):
    mine = make_customer(actor, now=now)
    make_customer(other_actor, now=now + timedelta(minutes=1), name="Delta Haven B.V.")
    assert [e.data["id"] for e in event_list(Tenant.for_reseller(actor.reseller))] == [mine.public_id]
    assert len(event_list(Tenant.for_vendor())) == 2
    assert list(event_list(Tenant.for_customer(mine))) == []
    assert list(event_list(Tenant.for_reseller(actor.reseller), type="member.added")) == []


def test_event_get_hides_other_tenants_events(actor, other_actor, now):
    make_customer(other_actor, now=now)
    theirs = Event.objects.get()
    with pytest.raises(DomainError) as refused:
        event_get(Tenant.for_reseller(actor.reseller), theirs.public_id)
    assert refused.value.code == "not_found"
    assert event_get(Tenant.for_reseller(other_actor.reseller), theirs.public_id) == theirs


def test_event_list_is_newest_first_and_leaves_out_pings(actor, now):
    endpoint, _ = webhook_endpoint_create(actor=actor, url="https://a.isar.example/", events=["*"], now=now)
    make_customer(actor, now=now, name="Erste GmbH")
    make_customer(actor, now=now + timedelta(seconds=1), name="Zweite GmbH")
    webhook_endpoint_ping(actor=actor, endpoint=endpoint, now=now + timedelta(seconds=2))
    tenant = Tenant.for_reseller(actor.reseller)
    assert [e.data["company_name"] for e in event_list(tenant)] == ["Zweite GmbH", "Erste GmbH"]
    assert [e.type for e in event_list(tenant, type="ping")] == ["ping"]


def test_one_resellers_endpoints_are_read_as_the_orm_reads_them(actor, other_actor, now):
    """webhook_endpoints_of's fixed statement for one reseller builds the ORM's instances:
    enabled ones only, oldest first, never another reseller's."""
    first, _ = webhook_endpoint_create(actor=actor, url="https://a.isar.example/", events=["*"], now=now)
    webhook_endpoint_create(
        actor=actor, url="https://b.isar.example/", events=["member.added", "invoice.issued"], description="b", now=now
    )
    off, _ = webhook_endpoint_create(actor=actor, url="https://c.isar.example/", events=["*"], now=now)
    WebhookEndpoint.objects.filter(pk=off.pk).update(enabled=False)
    webhook_endpoint_create(actor=other_actor, url="https://d.elbe.example/", events=["*"], now=now)

    def columns(obj) -> dict:
        return {f.attname: (getattr(obj, f.attname), type(getattr(obj, f.attname))) for f in obj._meta.concrete_fields}

    found = webhook_endpoints_of({actor.reseller.pk})
    expected = list(WebhookEndpoint.objects.filter(reseller=actor.reseller, enabled=True).order_by("id"))
    assert [columns(e) for e in found[actor.reseller.pk]] == [columns(e) for e in expected]
    assert len(expected) == 2 and found[actor.reseller.pk][0].pk == first.pk
    assert all(e._state.adding is False for e in found[actor.reseller.pk])
    second = found[actor.reseller.pk][1]
    assert second.wants("invoice.issued") and not second.wants("member.removed")
