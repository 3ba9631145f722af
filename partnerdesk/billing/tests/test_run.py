"""The billing run: trials convert, periods renew, cancellations end, overdue invoices are dunned."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from partnerdesk.audit.models import AuditEvent
from partnerdesk.billing.models import DunningReminder, Invoice, InvoiceLine
from partnerdesk.billing.run import billing_run
from partnerdesk.billing.services import credit_note_issue, invoice_record_payment
from partnerdesk.cli import main
from partnerdesk.core.actors import Actor
from partnerdesk.subscriptions.models import SeatLedgerEntry, Subscription
from partnerdesk.subscriptions.services import (
    subscription_cancel,
    subscription_change_seats,
)
from partnerdesk.subscriptions.tests.factories import make_subscription


def fresh(sub: Subscription) -> Subscription:
    return Subscription.objects.get(pk=sub.pk)


def settle(now: datetime) -> None:
    """The buyers pay every open invoice (so these tests see renewals, not dunning)."""
    for invoice in Invoice.objects.filter(status="open", kind="invoice"):
        invoice_record_payment(actor=Actor.system(), invoice=invoice, now=now)


def period_lines(sub: Subscription) -> list[tuple]:
    return list(
        InvoiceLine.objects.filter(subscription=sub, charge="period")
        .order_by("period_start")
        .values_list("period_start", "period_end", "seats")
    )


def test_an_ended_trial_converts_with_its_first_invoice(vendor, actor, trial_plan, now):
    sub = make_subscription(actor, trial_plan, now=now, seats=10)
    assert billing_run(now=sub.trial_ends_at - timedelta(seconds=1)) == {}
    counts = billing_run(now=sub.trial_ends_at + timedelta(hours=2))
    assert counts == {"trials_converted": 1, "invoices": 1}
    sub = fresh(sub)
    assert (sub.status, sub.billing_anchor, str(sub.next_payment_date)) == ("active", sub.trial_ends_at, "2026-04-24")
    assert period_lines(sub) == [(sub.trial_ends_at, datetime(2026, 4, 24, 9, 30, tzinfo=UTC), 10)]


def test_a_cancelled_trial_is_not_billed(vendor, actor, trial_plan, now):
    sub = make_subscription(actor, trial_plan, now=now, seats=10)
    subscription_cancel(actor=actor, subscription=sub, now=now + timedelta(days=2))
    assert billing_run(now=now + timedelta(days=30)) == {}
    assert (fresh(sub).status, Invoice.objects.count()) == ("cancelled", 0)


def test_an_ended_period_renews_from_the_anchor_with_a_new_invoice(vendor, actor, monthly_plan):
    anchor = datetime(2026, 1, 31, 8, tzinfo=UTC)
    sub = make_subscription(actor, monthly_plan, now=anchor, seats=3)
    settle(anchor)
    counts = billing_run(now=datetime(2026, 2, 28, 8, tzinfo=UTC))
    assert counts == {"renewed": 1, "invoices": 1}
    settle(datetime(2026, 2, 28, 9, tzinfo=UTC))
    billing_run(now=datetime(2026, 3, 31, 8, tzinfo=UTC))
    sub = fresh(sub)
    assert period_lines(sub) == [
        (anchor, datetime(2026, 2, 28, 8, tzinfo=UTC), 3),
        (datetime(2026, 2, 28, 8, tzinfo=UTC), datetime(2026, 3, 31, 8, tzinfo=UTC), 3),  # back to the 31st
        (datetime(2026, 3, 31, 8, tzinfo=UTC), datetime(2026, 4, 30, 8, tzinfo=UTC), 3),
    ]
    assert (sub.current_period_end, str(sub.next_payment_date)) == (datetime(2026, 4, 30, 8, tzinfo=UTC), "2026-04-30")
    renewal = Invoice.objects.filter(subscription=sub).order_by("number").last()
    # 3 x 12.00 = 36.00, 20 % off = 28.80, VAT 5.47
    assert (renewal.subtotal, renewal.net, renewal.tax, renewal.total) == (
        Decimal("36.00"),
        Decimal("28.80"),
        Decimal("5.47"),
        Decimal("34.27"),
    )


def test_a_run_after_a_long_gap_bills_every_missed_period_once(vendor, actor, monthly_plan, now):
    sub = make_subscription(actor, monthly_plan, now=now, seats=1)
    settle(now)
    counts = billing_run(now=now + timedelta(days=100))
    # three missed periods, each invoiced once, issued now (so not overdue yet)
    assert counts == {"renewed": 3, "invoices": 3}
    assert len(period_lines(sub)) == 4
    assert billing_run(now=now + timedelta(days=100)) == {}


def test_a_scheduled_reduction_applies_at_renewal(vendor, actor, annual_plan, now):
    sub = make_subscription(actor, annual_plan, now=now, seats=5)
    subscription_change_seats(actor=actor, subscription=sub, seats=2, now=now + timedelta(days=10))
    settle(now)
    billing_run(now=sub.current_period_end)
    sub = fresh(sub)
    assert (sub.seats, sub.pending_seats) == (2, None)
    assert period_lines(sub)[-1][2] == 2
    entry = SeatLedgerEntry.objects.filter(subscription=sub).last()
    assert (entry.reason, entry.seats_from, entry.seats_to) == ("renewal", 5, 2)


def test_cancelled_at_period_end_ends_and_is_archived_without_an_invoice(vendor, actor, annual_plan, now):
    sub = make_subscription(actor, annual_plan, now=now, seats=5)
    subscription_cancel(actor=actor, subscription=sub, now=now + timedelta(days=10))
    settle(now)
    end = sub.current_period_end
    assert billing_run(now=end - timedelta(seconds=1)) == {}
    assert billing_run(now=end + timedelta(hours=3)) == {"cancelled": 1}
    sub = fresh(sub)
    assert (sub.status, sub.archived, sub.ended_at, sub.next_payment_date) == ("cancelled", True, end, None)
    assert len(period_lines(sub)) == 1


def test_the_run_is_idempotent(vendor, actor, monthly_plan, trial_plan, now):
    make_subscription(actor, monthly_plan, now=now, seats=2)
    make_subscription(actor, trial_plan, now=now, seats=2)
    later = now + timedelta(days=45)
    first = billing_run(now=later)  # renewals, a trial conversion and dunning
    snapshot = (Invoice.objects.count(), AuditEvent.objects.count(), SeatLedgerEntry.objects.count())
    assert billing_run(now=later) == {}
    assert (Invoice.objects.count(), AuditEvent.objects.count(), SeatLedgerEntry.objects.count()) == snapshot
    assert first["invoices"] == 3


class TestDunning:
    @pytest.fixture
    def overdue(self, vendor, actor, annual_plan, now):
        sub = make_subscription(actor, annual_plan, now=now, seats=1)
        return sub, Invoice.objects.get(subscription=sub)

    def test_not_yet_due_nothing_happens(self, overdue):
        sub, invoice = overdue
        assert billing_run(now=invoice.due_at) == {}
        assert fresh(sub).status == "active"

    def test_past_due_then_reminders_then_suspension(self, overdue):
        sub, invoice = overdue
        due = invoice.due_at
        assert billing_run(now=due + timedelta(hours=1)) == {"past_due": 1}
        assert fresh(sub).status == "past_due"
        assert billing_run(now=due + timedelta(days=3)) == {"reminder_1": 1}
        assert billing_run(now=due + timedelta(days=5)) == {}
        assert billing_run(now=due + timedelta(days=10)) == {"reminder_2": 1}
        assert billing_run(now=due + timedelta(days=13)) == {}
        assert billing_run(now=due + timedelta(days=14)) == {"suspended": 1}
        assert fresh(sub).status == "suspended"
        assert list(DunningReminder.objects.values_list("invoice_id", "level")) == [(invoice.pk, 1), (invoice.pk, 2)]
        assert billing_run(now=due + timedelta(days=20)) == {}

    def test_after_a_long_gap_only_the_latest_reminder(self, overdue):
        _, invoice = overdue
        assert billing_run(now=invoice.due_at + timedelta(days=15)) == {
            "past_due": 1,
            "reminder_2": 1,
            "suspended": 1,
        }
        assert list(DunningReminder.objects.values_list("level", flat=True)) == [2]

    def test_paying_reactivates(self, overdue, vendor_actor):
        sub, invoice = overdue
        billing_run(now=invoice.due_at + timedelta(days=15))
        invoice_record_payment(actor=vendor_actor, invoice=invoice, now=invoice.due_at + timedelta(days=16))
        assert fresh(sub).status == "active"
        assert AuditEvent.objects.filter(action="subscription.reactivate_after_payment").count() == 1

    def test_a_credit_note_also_settles(self, overdue, vendor_actor):
        sub, invoice = overdue
        billing_run(now=invoice.due_at + timedelta(days=4))
        credit_note_issue(actor=vendor_actor, invoice=invoice, now=invoice.due_at + timedelta(days=5))
        assert fresh(sub).status == "active"

    def test_a_suspended_subscription_expires_at_period_end(self, overdue):
        sub, invoice = overdue
        billing_run(now=invoice.due_at + timedelta(days=15))
        assert billing_run(now=sub.current_period_end) == {"expired": 1}
        sub = fresh(sub)
        assert (sub.status, sub.archived) == ("expired", True)
        assert len(period_lines(sub)) == 1

    def test_a_paid_invoice_is_never_dunned(self, overdue, vendor_actor):
        _, invoice = overdue
        invoice_record_payment(actor=vendor_actor, invoice=invoice, now=invoice.due_at)
        assert billing_run(now=invoice.due_at + timedelta(days=30)) == {}


def test_cli_billing_run(vendor, actor, monthly_plan, now, capsys):
    make_subscription(actor, monthly_plan, now=now, seats=1)
    settle(now)
    assert main(["billing", "run", "--now", (now + timedelta(days=32)).isoformat()]) == 0
    assert capsys.readouterr().out == "billing run: invoices: 1, renewed: 1\n"


@pytest.mark.parametrize("value", ["yesterday", "2026-13-01"])
def test_cli_billing_run_bad_time(value, capsys):
    assert main(["billing", "run", "--now", value]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "ISO 8601" in err


class TestBatches:
    """Ended periods are processed in batches (one transaction each, bulk writes)."""

    def test_a_failing_subscription_does_not_hold_up_its_batch(self, settings, vendor, actor, monthly_plan, now):
        from django.db import transaction

        from partnerdesk.billing.services import invoice_issue_period
        from partnerdesk.core.periods import add_months

        settings.BILLING_RUN_BATCH = 10
        subs = [make_subscription(actor, monthly_plan, now=now, seats=n) for n in (1, 2, 3)]
        settle(now)
        bad = subs[1]
        # Someone billed the bad one's next period already: the run's period charge for it
        # breaks the database's one-charge-per-period rule, and so does its whole batch.
        with transaction.atomic():
            start = bad.current_period_end
            invoice_issue_period(
                actor=Actor.system(), subscription=bad, seats=2, start=start, end=add_months(start, 1), now=now
            )
        numbers_before = set(Invoice.objects.values_list("number", flat=True))
        at = subs[0].current_period_end + timedelta(hours=1)
        counts = billing_run(now=at)
        assert (counts["renewed"], counts["errors"]) == (2, 1)
        assert [fresh(s).current_period_start for s in subs] == [at - timedelta(hours=1), now, at - timedelta(hours=1)]
        new = sorted(set(Invoice.objects.values_list("number", flat=True)) - numbers_before)
        assert new == ["2026-000005", "2026-000006"]  # the failed batch's block was rolled back: no gap

    def test_a_batch_records_what_one_by_one_records(self, settings, vendor, actor, monthly_plan, now):
        settings.BILLING_RUN_BATCH = 2
        subs = [make_subscription(actor, monthly_plan, now=now, seats=n) for n in (1, 2, 3, 4, 5)]
        subscription_change_seats(actor=actor, subscription=subs[4], seats=4, now=now)  # a reduction
        subscription_cancel(actor=actor, subscription=subs[3], now=now)
        settle(now)
        at = subs[0].current_period_end
        assert billing_run(now=at) == {"renewed": 4, "invoices": 4, "cancelled": 1}
        renewals = AuditEvent.objects.filter(action="subscription.renew").order_by("id")
        assert [entry.after["seats"] for entry in renewals] == [1, 2, 3, 4]
        assert [entry.after["invoice"] for entry in renewals] == [f"2026-{n:06d}" for n in range(6, 10)]
        assert AuditEvent.objects.filter(action="subscription.cancelled").count() == 1
        ledger = SeatLedgerEntry.objects.filter(reason="renewal").order_by("id")
        assert [(e.seats_from, e.seats_to) for e in ledger] == [(5, 4)]  # changes only
        assert period_lines(subs[4])[-1] == (at, at.replace(month=5), 4)
        assert billing_run(now=at) == {}
