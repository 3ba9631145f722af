"""Billing events (API.md event types), each recorded in the transaction of its change:
invoice.issued, invoice.paid, invoice.overdue, subscription.seats_changed,
subscription.activated and subscription.expired."""

from datetime import timedelta

import pytest

from partnerdesk.billing.models import Invoice
from partnerdesk.billing.run import billing_run
from partnerdesk.billing.services import invoice_record_payment
from partnerdesk.core.actors import Actor, Tenant
from partnerdesk.core.errors import DomainError
from partnerdesk.subscriptions.models import Subscription
from partnerdesk.subscriptions.services import (
    subscription_cancel,
    subscription_change_seats,
    subscription_unschedule_seat_reduction,
)
from partnerdesk.subscriptions.tests.factories import make_subscription
from partnerdesk.webhooks.models import Event
from partnerdesk.webhooks.selectors import event_list


def events(type_: str) -> list[Event]:
    return list(Event.objects.filter(type=type_).order_by("id"))


def tenant_types(actor: Actor) -> list[str]:
    return sorted(event_list(Tenant.for_reseller(actor.reseller)).values_list("type", flat=True))


def test_invoice_issued_at_creation_with_the_invoice_as_the_api_shows_it(vendor, actor, other_actor, annual_plan, now):
    sub = make_subscription(actor, annual_plan, now=now, seats=2)
    invoice = Invoice.objects.get(subscription=sub)
    [event] = events("invoice.issued")
    assert (event.reseller_id, event.customer_id, event.created_at) == (actor.reseller.pk, sub.customer_id, now)
    assert event.data["id"] == invoice.public_id
    assert (event.data["number"], event.data["status"], event.data["currency"]) == ("2026-000001", "open", "EUR")
    # 2 seats x 120.00 = 240.00, 20 % reseller discount = 48.00, 19 % VAT on 192.00 = 36.48
    assert (event.data["subtotal"], event.data["discount"], event.data["tax"], event.data["total"]) == (
        "240.00",
        "48.00",
        "36.48",
        "228.48",
    )
    assert [line["seats"] for line in event.data["lines"]] == [2]
    assert "invoice.issued" not in tenant_types(other_actor)


def test_a_top_up_records_its_invoice_and_a_seat_change_effective_now(vendor, actor, annual_plan, now):
    sub = make_subscription(actor, annual_plan, now=now, seats=2)
    _, invoice = subscription_change_seats(actor=actor, subscription=sub, seats=5, now=now + timedelta(days=315))
    assert [e.data["id"] for e in events("invoice.issued")][1] == invoice.public_id
    [changed] = events("subscription.seats_changed")
    assert (changed.data["seats"], changed.data["previous_seats"], changed.data["effective"]) == (5, 2, "now")
    assert changed.data["pending_seats"] is None


def test_a_scheduled_reduction_is_a_seat_change_effective_at_renewal_and_the_renewal_applies_it(
    vendor, actor, monthly_plan, now
):
    sub = make_subscription(actor, monthly_plan, now=now, seats=5)
    invoice_record_payment(actor=Actor.system(), invoice=Invoice.objects.get(), now=now)
    subscription_change_seats(actor=actor, subscription=sub, seats=3, now=now + timedelta(days=3))
    [scheduled] = events("subscription.seats_changed")
    assert (scheduled.data["seats"], scheduled.data["pending_seats"], scheduled.data["effective"]) == (5, 3, "renewal")
    assert scheduled.data["previous_seats"] == 5

    renewal = sub.current_period_end + timedelta(hours=1)
    assert billing_run(now=renewal)["renewed"] == 1
    applied = events("subscription.seats_changed")[-1]
    assert (applied.data["seats"], applied.data["previous_seats"], applied.data["effective"]) == (3, 5, "now")
    assert (applied.data["pending_seats"], applied.created_at) == (None, renewal)
    assert [e.data["lines"][0]["seats"] for e in events("invoice.issued")] == [5, 3]


def test_unscheduling_a_reduction_is_a_seat_change_too(vendor, actor, annual_plan, now):
    sub = make_subscription(actor, annual_plan, now=now, seats=5)
    subscription_change_seats(actor=actor, subscription=sub, seats=3, now=now)
    subscription_unschedule_seat_reduction(actor=actor, subscription=sub, now=now)
    last = events("subscription.seats_changed")[-1]
    assert (last.data["seats"], last.data["pending_seats"], last.data["effective"]) == (5, None, "renewal")


def test_a_renewal_without_a_reduction_records_no_seat_change(vendor, actor, monthly_plan, now):
    sub = make_subscription(actor, monthly_plan, now=now, seats=5)
    invoice_record_payment(actor=Actor.system(), invoice=Invoice.objects.get(), now=now)
    billing_run(now=sub.current_period_end)
    assert events("subscription.seats_changed") == []
    assert len(events("invoice.issued")) == 2


def test_a_refused_seat_change_records_nothing(vendor, actor, annual_plan, now):
    sub = make_subscription(actor, annual_plan, now=now, seats=5)
    before = Event.objects.count()
    with pytest.raises(DomainError):
        subscription_change_seats(actor=actor, subscription=sub, seats=0, now=now)
    assert Event.objects.count() == before


def test_the_billing_run_activates_a_trial_with_its_invoice(vendor, actor, trial_plan, now):
    sub = make_subscription(actor, trial_plan, now=now, seats=10)
    billing_run(now=sub.trial_ends_at + timedelta(hours=1))
    [activated] = events("subscription.activated")
    [issued] = events("invoice.issued")
    assert activated.id < issued.id  # the subscription first, then its invoice
    assert (activated.data["id"], activated.data["status"]) == (sub.public_id, "active")
    assert issued.data["subscription"] == sub.public_id


def test_payment_records_invoice_paid(vendor, actor, annual_plan, now):
    sub = make_subscription(actor, annual_plan, now=now, seats=1)
    invoice = Invoice.objects.get(subscription=sub)
    invoice_record_payment(actor=Actor.system(), invoice=invoice, reference="SEPA 4711", now=now + timedelta(days=2))
    [paid] = events("invoice.paid")
    assert (paid.data["id"], paid.data["status"], paid.data["paid_at"]) == (
        invoice.public_id,
        "paid",
        "2026-03-12T09:30:00Z",
    )
    with pytest.raises(DomainError):  # paying twice is refused and records nothing more
        invoice_record_payment(actor=Actor.system(), invoice=invoice, now=now + timedelta(days=3))
    assert len(events("invoice.paid")) == 1


def test_dunning_records_invoice_overdue_once(vendor, actor, other_actor, annual_plan, now):
    sub = make_subscription(actor, annual_plan, now=now, seats=1)
    invoice = Invoice.objects.get(subscription=sub)
    assert billing_run(now=invoice.due_at) == {}
    assert events("invoice.overdue") == []
    billing_run(now=invoice.due_at + timedelta(hours=1))
    billing_run(now=invoice.due_at + timedelta(days=3))
    billing_run(now=invoice.due_at + timedelta(days=14))
    [overdue] = events("invoice.overdue")
    assert (overdue.data["id"], overdue.data["status"], overdue.data["days_overdue"]) == (invoice.public_id, "open", 0)
    assert overdue.created_at == invoice.due_at + timedelta(hours=1)
    assert "invoice.overdue" not in tenant_types(other_actor)


def test_a_second_overdue_invoice_of_a_past_due_subscription_is_reported_too(vendor, actor, annual_plan, now):
    sub = make_subscription(actor, annual_plan, now=now, seats=1)
    first = Invoice.objects.get(subscription=sub)
    billing_run(now=first.due_at + timedelta(hours=1))
    _, top_up = subscription_change_seats(actor=actor, subscription=sub, seats=2, now=now + timedelta(days=20))
    billing_run(now=top_up.due_at + timedelta(hours=1))
    assert [e.data["id"] for e in events("invoice.overdue")] == [first.public_id, top_up.public_id]


def test_cancelled_at_period_end_ends_as_cancelled_with_subscription_expired(vendor, actor, monthly_plan, now):
    sub = make_subscription(actor, monthly_plan, now=now, seats=2)
    invoice_record_payment(actor=Actor.system(), invoice=Invoice.objects.get(), now=now)
    subscription_cancel(actor=actor, subscription=sub, reason="moving on", now=now + timedelta(days=5))
    assert billing_run(now=sub.current_period_end - timedelta(seconds=1)) == {}
    assert events("subscription.expired") == []
    billing_run(now=sub.current_period_end + timedelta(hours=1))
    [ended] = events("subscription.expired")
    assert (ended.data["status"], ended.data["archived"], ended.data["ended_at"]) == (
        "cancelled",
        True,
        "2026-04-10T09:30:00Z",
    )
    assert [e.type for e in Event.objects.filter(customer_id=sub.customer_id).order_by("id")][-2:] == [
        "subscription.cancelled",
        "subscription.expired",
    ]
    billing_run(now=sub.current_period_end + timedelta(days=40))  # re-run: nothing more
    assert len(events("subscription.expired")) == 1


def test_a_suspended_subscription_is_not_renewed_and_expires(vendor, actor, monthly_plan, now):
    sub = make_subscription(actor, monthly_plan, now=now, seats=2)
    invoice = Invoice.objects.get(subscription=sub)
    billing_run(now=invoice.due_at + timedelta(days=14))
    assert Subscription.objects.get(pk=sub.pk).status == "suspended"
    billing_run(now=sub.current_period_end + timedelta(hours=1))
    [ended] = events("subscription.expired")
    assert (ended.data["id"], ended.data["status"], ended.data["archived"]) == (sub.public_id, "expired", True)
