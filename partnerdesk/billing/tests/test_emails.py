"""Billing e-mails through the outbox to a real SMTP server, in the recipient's language:
invoice issued, payment overdue (dunning reminders) and trial ending."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction

from partnerdesk.accounts.models import Reseller
from partnerdesk.billing.dunning import deliver_reminder
from partnerdesk.billing.models import DunningReminder, Invoice, TrialEndingReminder
from partnerdesk.billing.run import billing_run
from partnerdesk.billing.services import invoice_record_payment
from partnerdesk.billing.tests.factories import make_purchasing_customer_admin
from partnerdesk.billing.trials import trial_ending_reminders
from partnerdesk.core.actors import Actor
from partnerdesk.notifications.models import OutboxEmail
from partnerdesk.notifications.testing import html_of, subject_of, text_of
from partnerdesk.subscriptions.services import subscription_cancel, subscription_change_seats
from partnerdesk.subscriptions.tests.factories import make_subscription
from partnerdesk.webhooks.models import Event

pytestmark = pytest.mark.django_db(transaction=True)  # real commits: e-mail leaves on commit


def subjects(inbox, to: str) -> list[str]:
    return [subject_of(message) for message in inbox.to(to)]


class TestInvoiceIssued:
    def test_the_resellers_contact_gets_it_in_the_resellers_language(self, inbox, vendor, actor, annual_plan, now):
        Reseller.objects.filter(pk=actor.reseller.pk).update(language="de", contact_email="rechnung@isar.example")
        actor.reseller.refresh_from_db()
        make_subscription(actor, annual_plan, now=now, seats=2)
        [message] = inbox.to("rechnung@isar.example")
        assert subject_of(message) == "Rechnung 2026-000001 für Isar Kunde GmbH: 228,48 €"  # subject_of folds spaces
        text = text_of(message)
        assert "Fälliger Betrag: 228,48\xa0€, zahlbar bis 24. März 2026." in text
        assert "DE89370400440532013000 (BIC COBADEFFXXX) mit dem Verwendungszweck 2026-000001" in text
        assert "2026-000001" in html_of(message)
        assert inbox.to("owner@isar.example") == []

    def test_without_a_contact_address_the_owners_get_it(self, inbox, vendor, actor, annual_plan, now):
        Reseller.objects.filter(pk=actor.reseller.pk).update(contact_email="")
        actor.reseller.refresh_from_db()
        make_subscription(actor, annual_plan, now=now, seats=2, payment_method="card")
        [message] = inbox.to("owner@isar.example")
        assert subject_of(message) == "Invoice 2026-000001 for Isar Kunde GmbH: €228.48"
        assert "Amount due: €228.48, payable by 24 March 2026. It will be charged to your card on file." in text_of(
            message
        )

    def test_a_direct_purchase_goes_to_the_customers_contact_in_its_language(
        self, inbox, vendor, actor, annual_plan, now
    ):
        sub = make_subscription(actor, annual_plan, now=now, seats=2)
        sub.customer.language = "nl"
        sub.customer.save(update_fields=["language"])
        buyer = make_purchasing_customer_admin(actor, sub, now=now)
        inbox.clear()
        _, invoice = subscription_change_seats(actor=buyer, subscription=sub, seats=3, now=now + timedelta(days=315))
        assert invoice.billed_customer_id == sub.customer_id
        assert inbox.to("owner@isar.example") == []
        [message] = inbox.to("it@isar.example")
        # 1 seat x 2 months (50 days left) x 10.00 at list price, 19 % VAT: 23.80
        assert subject_of(message) == f"Factuur {invoice.number} voor Isar Kunde GmbH: € 23,80"

    def test_the_billing_runs_renewal_invoice_is_mailed(self, inbox, vendor, actor, monthly_plan, now):
        sub = make_subscription(actor, monthly_plan, now=now, seats=3, payment_method="card")
        invoice_record_payment(actor=Actor.system(), invoice=Invoice.objects.get(), now=now)
        billing_run(now=sub.current_period_end)
        assert subjects(inbox, "owner@isar.example") == [
            "Invoice 2026-000001 for Isar Kunde GmbH: €34.27",
            "Invoice 2026-000002 for Isar Kunde GmbH: €34.27",
        ]


class TestPaymentOverdue:
    def test_reminders_after_3_and_10_days_each_once(self, inbox, vendor, actor, annual_plan, now):
        sub = make_subscription(actor, annual_plan, now=now, seats=1)
        invoice = Invoice.objects.get(subscription=sub)
        inbox.clear()
        billing_run(now=invoice.due_at + timedelta(hours=1))
        assert inbox.messages == []
        billing_run(now=invoice.due_at + timedelta(days=3))
        [first] = inbox.to("owner@isar.example")
        assert subject_of(first) == "Reminder: invoice 2026-000001 is overdue"
        assert "over €114.24 was due on 24 March 2026" in text_of(first)
        assert "suspended on 7 April 2026" in text_of(first)
        reminder = DunningReminder.objects.get()
        assert reminder.sent_at == invoice.due_at + timedelta(days=3)

        assert deliver_reminder(reminder.pk) is False  # sent already: nothing again
        billing_run(now=invoice.due_at + timedelta(days=5))
        assert len(inbox.messages) == 1
        billing_run(now=invoice.due_at + timedelta(days=10))
        assert subjects(inbox, "owner@isar.example")[1] == "Reminder: invoice 2026-000001 is overdue"
        assert "This is our second reminder." in text_of(inbox.messages[1])
        assert OutboxEmail.objects.filter(template="payment_overdue").count() == 2

    def test_a_reminder_left_unsent_is_sent_by_the_next_run_once(self, inbox, vendor, actor, annual_plan, now):
        sub = make_subscription(actor, annual_plan, now=now, seats=1)
        invoice = Invoice.objects.get(subscription=sub)
        inbox.clear()
        reminder = DunningReminder.objects.create(invoice=invoice, level=1, created_at=invoice.due_at)
        at = invoice.due_at + timedelta(days=4)
        assert billing_run(now=at)["reminders_sent_late"] == 1
        assert billing_run(now=at).get("reminders_sent_late") is None
        assert subjects(inbox, "owner@isar.example") == ["Reminder: invoice 2026-000001 is overdue"]
        reminder.refresh_from_db()
        assert reminder.sent_at == at


class TestTrialEnding:
    def test_three_days_before_the_end_the_reseller_is_told_once(
        self, inbox, vendor, actor, other_actor, trial_plan, now
    ):
        sub = make_subscription(actor, trial_plan, now=now, seats=10)
        theirs = make_subscription(other_actor, trial_plan, now=now + timedelta(days=1), seats=2)
        ends = sub.trial_ends_at
        assert trial_ending_reminders(now=ends - timedelta(days=3, seconds=1)) == 0
        assert trial_ending_reminders(now=ends - timedelta(days=3)) == 1
        assert trial_ending_reminders(now=ends - timedelta(days=2)) == 1  # the other reseller's, a day later
        assert trial_ending_reminders(now=ends - timedelta(days=1)) == 0  # each once
        [message] = inbox.to("owner@isar.example")
        assert subject_of(message) == "The Signatures for Microsoft 365 trial of Isar Kunde GmbH ends on 24 March 2026"
        [theirs_message] = inbox.to("owner@polder.example")
        assert "Polder Kunde GmbH" in subject_of(theirs_message)
        assert inbox.to("it@isar.example") == []  # customer admins are not told: the reseller decides
        assert list(
            Event.objects.filter(type="subscription.trial_ending").order_by("id").values_list("data__id", flat=True)
        ) == [
            sub.public_id,
            theirs.public_id,
        ]
        with pytest.raises(IntegrityError), transaction.atomic():
            TrialEndingReminder.objects.create(subscription=sub, trial_ends_at=ends, sent_at=ends)

    def test_a_cancelled_or_converted_trial_gets_no_reminder(self, inbox, vendor, actor, trial_plan, now):
        sub = make_subscription(actor, trial_plan, now=now, seats=10)
        subscription_cancel(actor=actor, subscription=sub, now=now + timedelta(days=1))
        assert trial_ending_reminders(now=sub.trial_ends_at - timedelta(days=2)) == 0
        assert inbox.messages == [] and TrialEndingReminder.objects.count() == 0
