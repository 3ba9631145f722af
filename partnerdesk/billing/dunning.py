"""Overdue invoices: the subscription goes past due, reminders after 3 and 10 days,
suspension after 14; paying reactivates it (billing/services.py::reactivate_if_settled).

A reminder is a row (unique per invoice and level), recorded in the same transaction as
the status change, together with its "payment overdue" e-mail in the outbox
(:func:`deliver_reminder`, which marks it sent). The first time dunning finds an invoice
overdue it records the ``invoice.overdue`` event, once per invoice.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.db import transaction

from partnerdesk.audit.services import audit_record
from partnerdesk.billing.models import DunningReminder, Invoice
from partnerdesk.billing.notify import invoice_overdue_notify, payment_overdue_email
from partnerdesk.core import clock
from partnerdesk.core.actors import Actor
from partnerdesk.subscriptions import lifecycle
from partnerdesk.subscriptions.models import Status, Subscription
from partnerdesk.webhooks.models import Event

logger = logging.getLogger(__name__)

# (level, days after the due date)
REMINDERS = ((1, 3), (2, 10))
SUSPEND_AFTER = timedelta(days=14)


def deliver_reminder(reminder_id: int, *, now: datetime | None = None) -> bool:
    """Queue the "payment overdue" e-mail of a recorded reminder and set ``sent_at``, in
    one transaction. Idempotent: a reminder with ``sent_at`` set is never sent again (the
    row is locked, so two callers cannot both send it). True when it was queued now.

    :func:`dun_invoice` calls it in the reminder's own transaction; the billing run also
    passes any reminder left unsent (recorded before this existed) through it.
    """
    now = clock.resolve(now)
    with transaction.atomic():
        reminder = (
            DunningReminder.objects.select_for_update(of=("self",))
            .select_related(
                "invoice__billed_reseller",
                "invoice__billed_customer",
                "invoice__customer",
                "invoice__subscription__plan__product",
            )
            .filter(pk=reminder_id, sent_at__isnull=True)
            .first()
        )
        if reminder is None:
            return False
        payment_overdue_email(reminder=reminder, suspend_on=reminder.invoice.due_at + SUSPEND_AFTER)
        reminder.sent_at = now
        reminder.save(update_fields=["sent_at"])
    logger.info("payment reminder %s for invoice %s queued", reminder.level, reminder.invoice.number)
    return True


def _overdue_recorded(invoice: Invoice) -> bool:
    return Event.objects.filter(
        type="invoice.overdue", customer_id=invoice.customer_id, data__id=invoice.public_id
    ).exists()


def dun_invoice(*, actor: Actor, invoice_id: int, now: datetime) -> list[str]:
    """Apply the dunning rules to one open invoice, in its own transaction. Returns what
    was done ("past_due", "reminder_1", "reminder_2", "suspended"); re-running is a no-op."""
    done: list[str] = []
    with transaction.atomic():
        subscription_id = Invoice.objects.filter(pk=invoice_id).values_list("subscription_id", flat=True).first()
        if subscription_id is None:
            return done
        subscription = (
            Subscription.objects.select_for_update().select_related("customer", "reseller").get(pk=subscription_id)
        )
        invoice = Invoice.objects.select_for_update().get(pk=invoice_id)
        if invoice.status != Invoice.Status.OPEN or invoice.kind != Invoice.Kind.INVOICE or invoice.due_at >= now:
            return done
        overdue = now - invoice.due_at
        before = subscription.status
        if not _overdue_recorded(invoice):  # both rows are locked: recorded once
            invoice.customer = subscription.customer
            invoice.reseller = subscription.reseller
            invoice_overdue_notify(invoice=invoice, now=now)
        if subscription.status == Status.ACTIVE:
            subscription.save(update_fields=lifecycle.transition(subscription, Status.PAST_DUE, now=now))
            done.append("past_due")
        sent_levels = set(invoice.reminders.values_list("level", flat=True))
        due_levels = [level for level, days in REMINDERS if overdue >= timedelta(days=days)]
        if due_levels and max(due_levels) > max(sent_levels, default=0):
            level = max(due_levels)  # one reminder, the latest due, even after a long gap
            reminder = DunningReminder.objects.create(invoice=invoice, level=level, created_at=now)
            deliver_reminder(reminder.pk, now=now)
            done.append(f"reminder_{level}")
        if overdue >= SUSPEND_AFTER and subscription.status == Status.PAST_DUE:
            subscription.save(update_fields=lifecycle.transition(subscription, Status.SUSPENDED, now=now))
            done.append("suspended")
        if done:
            audit_record(
                actor=actor,
                action="invoice.dunning",
                obj=invoice,
                acting_on=subscription.customer,
                reseller=subscription.reseller,
                before={"subscription_status": before},
                after={"subscription_status": subscription.status, "done": done, "days_overdue": overdue.days},
                now=now,
            )
    return done
