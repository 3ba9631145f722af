"""The billing run: everything that happens because time passed.

1. Trials that ended convert to paid, with their first invoice.
2. Paid periods that ended: cancelled-at-period-end subscriptions end (and are
   archived); suspended ones expire; the rest renew from their billing anchor
   (core/periods.py), apply a scheduled seat reduction, and get the new period's invoice.
3. Overdue invoices: past due, reminders, suspension (billing/dunning.py).
4. With a payment provider configured: new card invoices are charged, once
   (billing/payments.py); a declined card is not retried by the run (dunning follows).

Exactly once: ended periods are processed in batches (``BILLING_RUN_BATCH``
subscriptions per transaction, bulk inserts and updates, one block of invoice numbers per
batch); each batch re-reads its rows under a lock and re-checks whether there is still
work to do, so the run can be killed at any point and re-run any number of times. The
database backs this up: one period charge per (subscription, period start). A batch that
fails is rolled back and retried one subscription per transaction, so one bad
subscription does not hold up the others.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet

from partnerdesk.accounts.models import Reseller
from partnerdesk.audit.models import AuditEvent
from partnerdesk.audit.services import audit_entry, audit_record, snapshot
from partnerdesk.billing.dunning import deliver_reminder, dun_invoice
from partnerdesk.billing.models import CardOnFile, DunningReminder, Invoice, InvoiceLine
from partnerdesk.billing.notify import invoice_issued_emails, invoice_issued_event, reseller_contacts
from partnerdesk.billing.payments import PaymentProvider, configured_provider, invoice_collect_card_payment
from partnerdesk.billing.pricing import Buyer, Quote, period_quote
from partnerdesk.billing.services import invoice_build, invoice_issue_period, reserve_numbers, seller_snapshot
from partnerdesk.catalog.models import Plan
from partnerdesk.core import clock
from partnerdesk.core.actors import Actor
from partnerdesk.core.bulk import insert_rows, unsaved, update_rows
from partnerdesk.core.errors import DomainError
from partnerdesk.core.periods import next_period_end
from partnerdesk.customers.models import Customer
from partnerdesk.notifications.services import outbox_add_many
from partnerdesk.subscriptions import lifecycle
from partnerdesk.subscriptions.models import SeatLedgerEntry, Status, Subscription
from partnerdesk.subscriptions.services import subscription_activate
from partnerdesk.webhooks.events import record_events, record_subscription_event, subscription_data
from partnerdesk.webhooks.models import Event

logger = logging.getLogger(__name__)

_STATE_FIELDS = ["status", "seats", "pending_seats", "current_period_start", "current_period_end", "archived"]
_PERIOD_FIELDS = ["current_period_start", "current_period_end", "next_payment_date"]
_BILLED_STATUSES = [Status.ACTIVE, Status.PAST_DUE, Status.SUSPENDED]


def _ids(queryset: QuerySet, chunk: int = 2000) -> Iterator[int]:
    """Primary keys in ascending order, read in chunks (memory stays flat for 100,000 rows)."""
    last = 0
    while True:
        batch = list(queryset.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:chunk])
        if not batch:
            return
        yield from batch
        last = batch[-1]


def convert_trial(*, actor: Actor, subscription_id: int, now: datetime) -> bool:
    try:
        subscription_activate(actor=actor, subscription=Subscription(pk=subscription_id), now=now)
    except DomainError:
        return False  # converted, cancelled or not ended any more: nothing to do
    return True


class _RunCache:
    """What every renewal of one run reads: the seller, plans and resellers, read once.

    A run takes minutes at most, so the vendor and reseller details as they were when
    it started are the ones on its invoices.
    """

    def __init__(self) -> None:
        self.seller = seller_snapshot()
        self._plans: dict[int, Plan] = {}
        self._resellers: dict[int, Reseller] = {}
        self._buyers: dict[int, Buyer] = {}
        self._contacts: dict[int, list[str]] = {}

    def plan(self, pk: int) -> Plan:
        if pk not in self._plans:
            self._plans[pk] = Plan.objects.select_related("product").get(pk=pk)
        return self._plans[pk]

    def reseller(self, pk: int) -> Reseller:
        if pk not in self._resellers:
            self._resellers[pk] = Reseller.objects.get(pk=pk)
        return self._resellers[pk]

    def buyer(self, pk: int) -> Buyer:
        if pk not in self._buyers:
            self._buyers[pk] = Buyer.of_reseller(self.reseller(pk))
        return self._buyers[pk]

    def contacts(self, pk: int) -> list[str]:
        if pk not in self._contacts:
            self._contacts[pk] = reseller_contacts(self.reseller(pk))
        return self._contacts[pk]


def _start_next_period(sub: Subscription, *, actor: Actor, now: datetime) -> SeatLedgerEntry | None:
    """Move ``sub`` (in memory) to its next period from its billing anchor, with a scheduled
    seat reduction applied; returns the unsaved ledger entry when the seat count changes
    (the ledger holds changes: a plain renewal is in the audit log and on the invoice)."""
    start = sub.current_period_end
    end = next_period_end(sub.billing_anchor or start, start, sub.plan.term_months)
    seats = sub.pending_seats or sub.seats
    entry = None
    if seats != sub.seats:
        entry = unsaved(
            SeatLedgerEntry,
            subscription=sub,
            at=now,
            seats_from=sub.seats,
            seats_to=seats,
            reason=SeatLedgerEntry.Reason.RENEWAL,
            effective="renewal",
            actor=actor.audit_label,
        )
    sub.seats, sub.pending_seats = seats, None
    sub.current_period_start, sub.current_period_end, sub.next_payment_date = start, end, end.date()
    return entry


def end_period(*, actor: Actor, subscription_id: int, now: datetime, cache: _RunCache | None = None) -> tuple:
    """Handle one ended period of one subscription, in one transaction.

    Returns (outcome, more): outcome is "renewed", "cancelled", "expired" or None
    (nothing was due: already done); ``more`` is true when the next period has ended
    too (the run did not run for a while).
    """
    cache = cache or _RunCache()
    with transaction.atomic():
        locked = Subscription.objects.select_for_update().get(pk=subscription_id)
        if locked.status not in _BILLED_STATUSES or locked.current_period_end > now:
            return None, False
        locked.plan = cache.plan(locked.plan_id)
        locked.reseller = cache.reseller(locked.reseller_id)
        before = snapshot(locked, _STATE_FIELDS)
        ended_at = locked.current_period_end
        invoice = None
        if locked.cancel_at_period_end or locked.status == Status.SUSPENDED:
            # Cancelled: ends as the customer asked. Suspended for not paying: not renewed.
            outcome = (Status.CANCELLED if locked.cancel_at_period_end else Status.EXPIRED).value
            locked.save(update_fields=lifecycle.transition(locked, outcome, now=ended_at))
            action = f"subscription.{outcome}"
            # One "it has ended" event for both: the cancellation itself was reported when
            # it was made (subscription.cancelled); ``status`` tells the two apart.
            record_subscription_event(type="subscription.expired", subscription=locked, now=now)
        else:
            outcome = "renewed"
            action = "subscription.renew"
            entry = _start_next_period(locked, actor=actor, now=now)
            if entry is not None:
                entry.save(force_insert=True)
            start, end, seats = locked.current_period_start, locked.current_period_end, locked.seats
            locked.save(update_fields=["seats", "pending_seats", *_PERIOD_FIELDS])
            if seats != before["seats"]:  # the scheduled reduction takes effect
                record_subscription_event(
                    type="subscription.seats_changed",
                    subscription=locked,
                    now=now,
                    extra={"effective": "now", "previous_seats": before["seats"]},
                )
            invoice = invoice_issue_period(
                actor=actor,
                subscription=locked,
                seats=seats,
                start=start,
                end=end,
                now=now,
                seller=cache.seller,
                audit=False,  # the renewal's entry below names the invoice
            )
        after = snapshot(locked, _STATE_FIELDS)
        if invoice is not None:
            after["invoice"] = invoice.number
            after["total"] = str(invoice.total)
        audit_record(
            actor=actor,
            action=action,
            obj=locked,
            acting_on=Customer(pk=locked.customer_id),
            reseller=locked.reseller,
            before=before,
            after=after,
            now=now,
        )
    return outcome, outcome == "renewed" and locked.current_period_end <= now


_BATCH_FIELDS = sorted(
    {*_STATE_FIELDS, *_PERIOD_FIELDS, "ended_at", "archived_at", "cancel_at_period_end", "next_payment_date"}
)


def end_periods_batch(*, actor: Actor, ids: list[int], now: datetime, cache: _RunCache) -> tuple[Counter, list[int]]:
    """:func:`end_period` for many subscriptions in one transaction, with bulk writes.

    The same rules and records as one by one (ledger entries, invoices and lines, audit
    entries, events, e-mails), but a few dozen statements for the whole batch instead of
    about twenty per subscription. The rows are locked and re-checked first, so a batch
    re-run after a crash (or racing another run) skips what is done. The invoice numbers
    are one block taken from the counter in this transaction: a batch that rolls back
    takes its block with it, and numbers stay gapless.

    Returns the counts and the ids whose next period has ended too (the run was behind).
    """
    counts: Counter = Counter()
    with transaction.atomic():
        subs = list(
            Subscription.objects.select_for_update()
            .filter(pk__in=ids, status__in=_BILLED_STATUSES, current_period_end__lte=now)
            .order_by("pk")
        )
        if not subs:
            return counts, []
        customers = Customer.objects.only("id", "public_id", "company_name").in_bulk({s.customer_id for s in subs})
        audits: list[AuditEvent] = []
        events: list[Event] = []
        products: list = []
        ledger: list[SeatLedgerEntry] = []
        renewals: list[tuple[Subscription, dict, Quote]] = []
        for sub in subs:
            sub.plan = cache.plan(sub.plan_id)
            sub.reseller = cache.reseller(sub.reseller_id)
            sub.customer = customers[sub.customer_id]
            before = snapshot(sub, _STATE_FIELDS)
            if sub.cancel_at_period_end or sub.status == Status.SUSPENDED:
                outcome = (Status.CANCELLED if sub.cancel_at_period_end else Status.EXPIRED).value
                lifecycle.transition(sub, outcome, now=sub.current_period_end)
                audits.append(
                    audit_entry(
                        actor=actor,
                        action=f"subscription.{outcome}",
                        obj=sub,
                        acting_on=sub.customer,
                        reseller=sub.reseller,
                        before=before,
                        after=snapshot(sub, _STATE_FIELDS),
                        now=now,
                    )
                )
                events.append(_subscription_event("subscription.expired", sub, now))
                products.append(sub.plan.product)
                counts[outcome] += 1
                continue
            entry = _start_next_period(sub, actor=actor, now=now)
            if entry is not None:
                ledger.append(entry)
            start, end, seats = sub.current_period_start, sub.current_period_end, sub.seats
            if seats != before["seats"]:
                events.append(
                    _subscription_event(
                        "subscription.seats_changed", sub, now, effective="now", previous_seats=before["seats"]
                    )
                )
                products.append(sub.plan.product)
            buyer = cache.buyer(sub.reseller_id)
            quote = period_quote(subscription=sub, seats=seats, start=start, end=end, buyer=buyer, on=now.date())
            renewals.append((sub, before, quote))

        update_rows(subs, _BATCH_FIELDS)
        insert_rows(ledger)
        numbers = reserve_numbers(now.astimezone(UTC).year, len(renewals))
        invoices: list[Invoice] = []
        lines_of: list[list[InvoiceLine]] = []
        for (sub, _, quote), number in zip(renewals, numbers, strict=True):
            invoice, lines = invoice_build(subscription=sub, quote=quote, number=number, now=now, seller=cache.seller)
            invoice.customer = sub.customer
            invoice.reseller = sub.reseller
            invoices.append(invoice)
            lines_of.append(lines)
        insert_rows(invoices, returning_ids=True)
        all_lines = []
        for invoice, lines in zip(invoices, lines_of, strict=True):
            for line in lines:
                line.invoice = invoice
            all_lines += lines
        insert_rows(all_lines)
        emails = []
        for (sub, before, _), invoice, lines in zip(renewals, invoices, lines_of, strict=True):
            after = snapshot(sub, _STATE_FIELDS) | {"invoice": invoice.number, "total": str(invoice.total)}
            audits.append(
                audit_entry(
                    actor=actor,
                    action="subscription.renew",
                    obj=sub,
                    acting_on=sub.customer,
                    reseller=sub.reseller,
                    before=before,
                    after=after,
                    now=now,
                )
            )
            events.append(invoice_issued_event(invoice=invoice, now=now, lines=lines))
            products.append(None)
            emails += invoice_issued_emails(invoice=invoice, recipients=cache.contacts(sub.reseller_id))
        insert_rows(audits)
        record_events(events, products=products)
        outbox_add_many(emails, keys=False)
    if renewals:
        counts["renewed"] += len(renewals)
        counts["invoices"] += len(renewals)
    return counts, [sub.pk for sub, _, _ in renewals if sub.current_period_end <= now]


def _subscription_event(type_: str, sub: Subscription, now: datetime, **extra) -> Event:
    return unsaved(
        Event,
        type=type_,
        reseller_id=sub.reseller_id,
        customer_id=sub.customer_id,
        data={**subscription_data(sub), **extra},
        created_at=now,
    )


def _collect_card_payments(provider: PaymentProvider, now: datetime, counts: Counter) -> None:
    attempted = AuditEvent.objects.filter(action__startswith="invoice.card_payment_").values("object_id")
    due = (
        Invoice.objects.filter(
            kind=Invoice.Kind.INVOICE, status=Invoice.Status.OPEN, payment_method="card", issued_at__lte=now
        )
        .exclude(public_id__in=attempted)
        .filter(
            Exists(CardOnFile.objects.filter(reseller=OuterRef("billed_reseller"), provider=provider.name))
            | Exists(CardOnFile.objects.filter(customer=OuterRef("billed_customer"), provider=provider.name))
        )
    )
    for pk in _ids(due):
        try:
            result = invoice_collect_card_payment(invoice=Invoice(pk=pk), provider=provider, now=now)
        except Exception:
            logger.exception("billing run: charging invoice %s failed", pk)
            counts["errors"] += 1
            continue
        counts[f"card_{result.status}"] += 1


def _deliver_reminder(*, actor: Actor, reminder_id: int, now: datetime) -> bool:
    return deliver_reminder(reminder_id, now=now)


def billing_run(
    *, now: datetime | None = None, actor: Actor | None = None, provider: PaymentProvider | None = None
) -> Counter:
    """Run everything that is due at ``now``; returns counts of what was done.

    A subscription whose step fails is logged and counted under "errors"; the run goes
    on with the others (and the next run retries it).
    """
    now = clock.resolve(now)
    actor = actor or Actor(tenant=Actor.system().tenant, label="billing run")
    counts: Counter = Counter()

    def guarded(step, **kwargs):
        try:
            return step(actor=actor, now=now, **kwargs)
        except Exception:
            logger.exception("billing run: %s failed for %s", step.__name__, kwargs)
            counts["errors"] += 1
            return None

    trials = Subscription.objects.filter(status=Status.TRIAL, trial_ends_at__lte=now)
    for pk in _ids(trials):
        if guarded(convert_trial, subscription_id=pk):
            counts["trials_converted"] += 1
            counts["invoices"] += 1

    cache = _RunCache()

    def one_by_one(pk: int) -> None:
        # A subscription several periods behind (the run did not run for a while) gets
        # one invoice per missed period, each in its own transaction.
        more = True
        while more:
            outcome, more = guarded(end_period, subscription_id=pk, cache=cache) or (None, False)
            if outcome is not None:
                counts[outcome] += 1
            if outcome == "renewed":
                counts["invoices"] += 1

    def in_batch(ids: list[int]) -> None:
        while ids:
            try:
                done, ids = end_periods_batch(actor=actor, ids=ids, now=now, cache=cache)
            except Exception:
                # One bad subscription must not hold up the others: the batch rolled back
                # as a whole, so go through it one by one (the bad one is logged and counted).
                logger.warning("billing run: a batch of %s failed; retrying one by one", len(ids), exc_info=True)
                for pk in ids:
                    one_by_one(pk)
                return
            counts.update(done)

    ended = Subscription.objects.filter(status__in=_BILLED_STATUSES, current_period_end__lte=now)
    batch: list[int] = []
    size = max(1, settings.BILLING_RUN_BATCH)
    for pk in _ids(ended):
        batch.append(pk)
        if len(batch) >= size:
            in_batch(batch)
            batch = []
    in_batch(batch)

    overdue = Invoice.objects.filter(kind=Invoice.Kind.INVOICE, status=Invoice.Status.OPEN, due_at__lt=now)
    for pk in _ids(overdue):
        for done in guarded(dun_invoice, invoice_id=pk) or []:
            counts[done] += 1

    # Reminders recorded but not sent (normally none: dun_invoice sends in its transaction).
    for pk in _ids(DunningReminder.objects.filter(sent_at__isnull=True)):
        if guarded(_deliver_reminder, reminder_id=pk):
            counts["reminders_sent_late"] += 1

    provider = provider or configured_provider()
    if provider is not None:
        _collect_card_payments(provider, now, counts)
    return counts
