"""Writes for billing: issuing invoices, recording payments, credit notes.

Lock order, everywhere: the subscription row first, then the invoice, then the year's
invoice counter. Invoices are issued inside the transaction of the change that causes
them (subscription created, trial converted, seats added, period renewed), so a change
and its invoice commit together or not at all, and an invoice number is only ever
taken by a transaction that commits: numbers stay gapless.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import connection, transaction

from partnerdesk.accounts.models import Vendor
from partnerdesk.audit.models import AuditEvent
from partnerdesk.audit.services import audit_entry, audit_record
from partnerdesk.billing.models import Invoice, InvoiceCounter, InvoiceLine
from partnerdesk.billing.notify import invoice_issued_emails, invoice_issued_event, invoice_paid_notify
from partnerdesk.billing.pricing import Buyer, Quote, period_quote
from partnerdesk.billing.tax import NOTES
from partnerdesk.core import clock, rows
from partnerdesk.core.actors import Actor
from partnerdesk.core.bulk import insert_rows, known_related, unsaved
from partnerdesk.core.errors import conflict, forbidden, invalid
from partnerdesk.notifications.services import outbox_add_many
from partnerdesk.subscriptions import lifecycle
from partnerdesk.subscriptions.models import SeatLedgerEntry, Status, Subscription
from partnerdesk.webhooks.events import record_events
from partnerdesk.webhooks.models import Event

logger = logging.getLogger(__name__)

PAYMENT_TERM = timedelta(days=14)


def _require_atomic() -> None:
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("invoices are issued inside the transaction of the change that causes them")


# The seller's fields on an invoice, and the Vendor columns they come from.
_SELLER_COLUMNS = {
    "seller_name": "name",
    "seller_address": "address",
    "seller_country": "country",
    "seller_vat_id": "vat_id",
    "seller_bank_name": "bank_name",
    "seller_iban": "iban",
    "seller_bic": "bic",
}
# The one row (database constraints), as a fixed statement (core/rows.py): every invoice
# reads it, and the ORM query cost ten times the statement.
_SELLER_SQL = f"SELECT {', '.join(_SELLER_COLUMNS.values())} FROM {Vendor._meta.db_table}"


def seller_snapshot() -> dict[str, str]:
    """The vendor as the seller, from the Vendor row (the one place its details live)."""
    found = rows.fetch(_SELLER_SQL, [])
    if not found:
        logger.warning("no Vendor row: invoices are issued without the seller's company details")
        return {"seller_name": "", "seller_country": settings.VENDOR_COUNTRY}
    return dict(zip(_SELLER_COLUMNS, found[0], strict=True))


def _next_number(year: int) -> str:
    """The next gapless number of ``year`` (the UTC year of issue, whatever the server's
    or the caller's time zone): the counter row stays locked until commit."""
    return reserve_numbers(year, 1)[0]


def reserve_numbers(year: int, count: int) -> list[str]:
    """``count`` consecutive numbers of ``year`` in one statement, for an invoice batch.

    The block is taken inside the batch's transaction: the counter row stays locked until
    it commits, and a batch that rolls back (or is killed) takes the whole block with it,
    so numbers stay gapless."""
    if count < 1:
        return []
    with connection.cursor() as cursor:
        cursor.execute(_RESERVE, [year, count])
        (last,) = cursor.fetchone()
    return [f"{year}-{n:06d}" for n in range(last - count + 1, last + 1)]


# One statement that starts the year's counter or counts it up, and locks it (PostgreSQL's
# row lock, SQLite's write lock). The year's first invoices may race to start it: the
# database settles that, with no error to recover from (a savepoint rolled back after a
# failed INSERT cannot recover inside a pipelined block, core/bulk.py).
_RESERVE = (
    f"INSERT INTO {InvoiceCounter._meta.db_table} (year, last) VALUES (%s, %s) "
    f"ON CONFLICT (year) DO UPDATE SET last = {InvoiceCounter._meta.db_table}.last + excluded.last RETURNING last"
)


def invoice_build(
    *,
    subscription: Subscription,
    quote: Quote,
    number: str,
    now: datetime,
    seller: dict[str, str],
    ledger_entry: SeatLedgerEntry | None = None,
) -> tuple[Invoice, list[InvoiceLine]]:
    """The unsaved invoice for ``quote`` and its unsaved lines (``invoice`` still to be set
    on the lines once the invoice has its primary key)."""
    buyer = quote.buyer
    if buyer is None or not quote.lines:
        raise ValueError("an invoice needs a buyer and at least one line")
    invoice = unsaved(
        Invoice,
        number=number,
        kind=Invoice.Kind.INVOICE,
        status=Invoice.Status.OPEN,
        billed_reseller=buyer.reseller,
        billed_customer=buyer.customer,
        subscription=subscription,
        reseller_id=subscription.reseller_id,
        customer_id=subscription.customer_id,
        buyer_name=buyer.name,
        buyer_address=buyer.address,
        buyer_country=buyer.country,
        buyer_vat_id=buyer.vat_id,
        language=buyer.language,
        currency=quote.currency,
        subtotal=quote.subtotal,
        discount=quote.discount,
        net=quote.net,
        tax_rate=quote.tax_rate,
        tax=quote.tax,
        total=quote.total,
        reverse_charge=quote.reverse_charge,
        tax_note=NOTES[quote.tax_note].get(buyer.language, NOTES[quote.tax_note]["en"]) if quote.tax_note else "",
        payment_method=subscription.payment_method,
        issued_at=now,
        due_at=now + PAYMENT_TERM,
        **seller,
    )
    lines = [
        unsaved(
            InvoiceLine,
            position=position,
            subscription=subscription,
            charge=line.charge,
            ledger_entry=ledger_entry if line.charge == InvoiceLine.Charge.TOP_UP else None,
            product_name=line.product_name,
            plan_name=line.plan_name,
            seats=line.seats,
            months=line.months,
            days=line.days,
            unit_price=line.unit_price,
            period_start=line.period_start,
            period_end=line.period_end,
            amount=line.amount,
            discount_percent=line.discount_percent,
            discount=line.discount,
        )
        for position, line in enumerate(quote.lines, start=1)
    ]
    return invoice, lines


@dataclass(frozen=True)
class Issued:
    """An invoice just written (with its lines and e-mails), and the records of its issue
    still to be written by the caller in the same transaction, with its own."""

    invoice: Invoice
    lines: list[InvoiceLine]
    event: Event  # unsaved ``invoice.issued``: for record_events
    audit: AuditEvent | None  # unsaved ``invoice.issue`` entry: for insert_rows


def invoice_issue_records(
    *,
    actor: Actor,
    subscription: Subscription,
    quote: Quote,
    now: datetime,
    ledger_entry: SeatLedgerEntry | None = None,
    seller: dict[str, str] | None = None,
    audit: bool = True,
) -> Issued:
    """:func:`invoice_issue`, leaving its event and audit entry to the caller, who records
    them in one statement with its own (the seat top-up: its change's event and entry follow
    the invoice's, as when each is written on its own). The caller must record both."""
    _require_atomic()
    invoice, lines = invoice_build(
        subscription=subscription,
        quote=quote,
        number="",
        now=now,
        seller=seller if seller is not None else seller_snapshot(),
        ledger_entry=ledger_entry,
    )
    # Taken as late as possible: the counter row stays locked until commit, and every
    # invoice of the year waits for it.
    invoice.number = _next_number(now.astimezone(UTC).year)
    insert_rows([invoice], returning_ids=True)
    for line in lines:
        line.invoice = invoice
    insert_rows(lines)
    known_related(invoice, "lines", lines)  # the answer and the event show them: not read again
    invoice.customer = subscription.customer  # the event and the e-mail show it: not read again
    outbox_add_many(invoice_issued_emails(invoice=invoice))
    entry = None
    if audit:
        entry = audit_entry(
            actor=actor,
            action="invoice.issue",
            obj=invoice,
            acting_on=subscription.customer,
            reseller=subscription.reseller,
            after={"number": invoice.number, "total": str(invoice.total), "currency": invoice.currency},
            now=now,
        )
    event = invoice_issued_event(invoice=invoice, now=now, lines=lines)
    return Issued(invoice=invoice, lines=lines, event=event, audit=entry)


def invoice_issue(
    *,
    actor: Actor,
    subscription: Subscription,
    quote: Quote,
    now: datetime,
    ledger_entry: SeatLedgerEntry | None = None,
    seller: dict[str, str] | None = None,
    audit: bool = True,
) -> Invoice:
    """Issue ``quote`` as an invoice. Runs inside the caller's transaction, with the
    subscription row locked by the caller.

    The lines' uniqueness rules (one period charge per period, one top-up line per seat
    ledger entry) make billing anything twice an IntegrityError that rolls the whole
    change back. ``audit=False`` is for callers whose own audit entry names the invoice
    (the billing run's renewal); ``seller`` saves re-reading the vendor for every invoice.
    The ``invoice.issued`` event and e-mail are recorded in the same transaction.
    """
    issued = invoice_issue_records(
        actor=actor,
        subscription=subscription,
        quote=quote,
        now=now,
        ledger_entry=ledger_entry,
        seller=seller,
        audit=audit,
    )
    record_events([issued.event])
    if issued.audit is not None:
        insert_rows([issued.audit])
    return issued.invoice


def invoice_issue_period(
    *,
    actor: Actor,
    subscription: Subscription,
    seats: int,
    start: datetime,
    end: datetime,
    now: datetime,
    seller: dict[str, str] | None = None,
    audit: bool = True,
) -> Invoice:
    """The invoice for one full period of ``seats`` seats, billed to the managing reseller."""
    buyer = Buyer.of_reseller(subscription.reseller)
    quote = period_quote(subscription=subscription, seats=seats, start=start, end=end, buyer=buyer, on=now.date())
    return invoice_issue(actor=actor, subscription=subscription, quote=quote, now=now, seller=seller, audit=audit)


def _lock_invoice(invoice: Invoice) -> tuple[Subscription, Invoice]:
    subscription = Subscription.objects.select_for_update().get(pk=invoice.subscription_id)
    locked = Invoice.objects.select_for_update().get(pk=invoice.pk)
    return subscription, locked


def _require_vendor(actor: Actor, doing: str) -> None:
    if not actor.tenant.vendor:
        raise forbidden(f"Only vendor staff can {doing}.")


def reactivate_if_settled(*, actor: Actor, subscription: Subscription, now: datetime) -> bool:
    """A past-due or suspended subscription whose overdue invoices are all settled is
    active again (SPEC: "paying reactivates it"). The subscription row must be locked."""
    if subscription.status not in (Status.PAST_DUE, Status.SUSPENDED):
        return False
    still_overdue = Invoice.objects.filter(
        subscription=subscription, kind=Invoice.Kind.INVOICE, status=Invoice.Status.OPEN, due_at__lt=now
    ).exists()
    if still_overdue:
        return False
    before = subscription.status
    changed = lifecycle.transition(subscription, Status.ACTIVE, now=now)
    subscription.save(update_fields=changed)
    audit_record(
        actor=actor,
        action="subscription.reactivate_after_payment",
        obj=subscription,
        acting_on=subscription.customer,
        reseller=subscription.reseller,
        before={"status": before},
        after={"status": subscription.status},
        now=now,
    )
    return True


def invoice_record_payment(
    *, actor: Actor, invoice: Invoice, reference: str = "", now: datetime | None = None
) -> Invoice:
    """Vendor staff record a payment received (a bank transfer, or a card payment the
    provider confirmed). A past-due or suspended subscription becomes active again once
    nothing overdue is left."""
    _require_vendor(actor, "record payments")
    now = clock.resolve(now)
    with transaction.atomic():
        subscription, locked = _lock_invoice(invoice)
        if locked.kind != Invoice.Kind.INVOICE:
            raise invalid("A credit note is not paid; it corrects an invoice.", "invoice")
        if locked.status != Invoice.Status.OPEN:
            raise conflict(f"Invoice {locked.number} is {locked.status}, not open.", "invoice")
        locked.status = Invoice.Status.PAID
        locked.paid_at = now
        locked.payment_reference = (reference or "").strip()[:200]
        locked.save(update_fields=["status", "paid_at", "payment_reference"])
        audit_record(
            actor=actor,
            action="invoice.record_payment",
            obj=locked,
            acting_on=subscription.customer,
            reseller=subscription.reseller,
            before={"status": Invoice.Status.OPEN},
            after={"status": locked.status, "paid_at": now, "reference": locked.payment_reference},
            now=now,
        )
        invoice_paid_notify(invoice=locked, now=now)
        reactivate_if_settled(actor=actor, subscription=subscription, now=now)
    return locked


def credit_note_issue(*, actor: Actor, invoice: Invoice, reason: str = "", now: datetime | None = None) -> Invoice:
    """Correct an invoice in full with a credit note (issued invoices never change).

    An open invoice is voided by it (nothing left to pay, the credit note is settled);
    a paid one stays paid and the credit note is open until the refund is made.
    """
    _require_vendor(actor, "issue credit notes")
    now = clock.resolve(now)
    with transaction.atomic():
        subscription, original = _lock_invoice(invoice)
        if original.kind != Invoice.Kind.INVOICE:
            raise invalid("Only an invoice can be corrected by a credit note.", "invoice")
        if original.status == Invoice.Status.VOID or original.credit_notes.exists():
            raise conflict(f"Invoice {original.number} has already been corrected.", "invoice")
        was_open = original.status == Invoice.Status.OPEN
        note = Invoice.objects.create(
            number=_next_number(now.astimezone(UTC).year),
            kind=Invoice.Kind.CREDIT_NOTE,
            corrects=original,
            status=Invoice.Status.PAID if was_open else Invoice.Status.OPEN,
            paid_at=now if was_open else None,
            billed_reseller=original.billed_reseller,
            billed_customer=original.billed_customer,
            subscription=original.subscription,
            reseller=original.reseller,
            customer=original.customer,
            seller_name=original.seller_name,
            seller_address=original.seller_address,
            seller_country=original.seller_country,
            seller_vat_id=original.seller_vat_id,
            seller_bank_name=original.seller_bank_name,
            seller_iban=original.seller_iban,
            seller_bic=original.seller_bic,
            buyer_name=original.buyer_name,
            buyer_address=original.buyer_address,
            buyer_country=original.buyer_country,
            buyer_vat_id=original.buyer_vat_id,
            language=original.language,
            currency=original.currency,
            subtotal=-original.subtotal,
            discount=-original.discount,
            net=-original.net,
            tax_rate=original.tax_rate,
            tax=-original.tax,
            total=-original.total,
            reverse_charge=original.reverse_charge,
            tax_note=original.tax_note,
            payment_method=original.payment_method,
            payment_reference=(reason or "").strip()[:200],
            issued_at=now,
            due_at=now,
        )
        InvoiceLine.objects.bulk_create(
            [
                InvoiceLine(
                    invoice=note,
                    position=line.position,
                    subscription=line.subscription,
                    charge=InvoiceLine.Charge.CREDIT,
                    product_name=line.product_name,
                    plan_name=line.plan_name,
                    seats=line.seats,
                    months=line.months,
                    days=line.days,
                    unit_price=line.unit_price,
                    period_start=line.period_start,
                    period_end=line.period_end,
                    amount=-line.amount,
                    discount_percent=line.discount_percent,
                    discount=-line.discount,
                )
                for line in original.lines.all()
            ]
        )
        if was_open:
            original.status = Invoice.Status.VOID
            original.voided_at = now
            original.save(update_fields=["status", "voided_at"])
        audit_record(
            actor=actor,
            action="invoice.credit_note",
            obj=note,
            acting_on=subscription.customer,
            reseller=subscription.reseller,
            before={"invoice": original.number, "status": Invoice.Status.OPEN if was_open else original.status},
            after={
                "credit_note": note.number,
                "total": str(note.total),
                "reason": reason,
                "invoice_status": original.status,
            },
            now=now,
        )
        reactivate_if_settled(actor=actor, subscription=subscription, now=now)
    return note
