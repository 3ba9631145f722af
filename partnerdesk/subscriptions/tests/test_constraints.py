"""The database itself refuses impossible rows, whatever the Python code does."""

import pytest
from django.db import IntegrityError, transaction
from django.db.models import F

from partnerdesk.subscriptions.models import SeatLedgerEntry, Subscription
from partnerdesk.subscriptions.tests.factories import make_subscription


@pytest.mark.parametrize(
    "changes",
    [
        {"assigned": 6},
        {"seats": 0},
        {"pending_seats": 5},
        {"pending_seats": 0},
        {"status": "frozen"},
        {"archived": True},
        {"payment_method": "cash"},
        {"current_period_end": F("current_period_start")},
    ],
    ids=[
        "assigned>seats",
        "no-seats",
        "pending-not-reduction",
        "pending-zero",
        "unknown-status",
        "archived-while-active",
        "unknown-payment",
        "period-backwards",
    ],
)
def test_subscription_constraints(actor, annual_plan, now, changes):
    sub = make_subscription(actor, annual_plan, now=now, seats=5)
    with pytest.raises(IntegrityError), transaction.atomic():
        Subscription.objects.filter(pk=sub.pk).update(**changes)


def test_trial_needs_an_end(actor, trial_plan, now):
    sub = make_subscription(actor, trial_plan, now=now)
    with pytest.raises(IntegrityError), transaction.atomic():
        Subscription.objects.filter(pk=sub.pk).update(trial_ends_at=None)


def test_seat_ledger_is_append_only(actor, annual_plan, now):
    sub = make_subscription(actor, annual_plan, now=now)
    entry = sub.seat_ledger.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        SeatLedgerEntry.objects.filter(pk=entry.pk).update(seats_to=99)
    with pytest.raises(IntegrityError), transaction.atomic():
        SeatLedgerEntry.objects.filter(pk=entry.pk).delete()
    assert SeatLedgerEntry.objects.get(pk=entry.pk).seats_to == 5
