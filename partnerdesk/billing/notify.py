"""Billing e-mails and events: who hears about an invoice, in which language.

Everything here runs inside the transaction of the change it reports: the event row and
the outbox row commit with the change or not at all (the outbox delivers after commit).

Who gets billing e-mail (SPEC: "invoice issued", "payment overdue", "trial ending"):
- an invoice billed to a reseller: the reseller's contact e-mail, or its owners when it
  has none; in the reseller's language;
- an invoice billed to a customer (a customer admin's direct purchase): the customer's
  contact e-mail, in the customer's language.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings

from partnerdesk.accounts.models import Reseller
from partnerdesk.billing.models import DunningReminder, Invoice, InvoiceLine
from partnerdesk.billing.shapes import invoice_shape
from partnerdesk.core.bulk import unsaved
from partnerdesk.core.money import format_money
from partnerdesk.customers.models import Customer
from partnerdesk.notifications.models import OutboxEmail
from partnerdesk.notifications.services import email_build_unrendered, email_enqueue, outbox_add_many
from partnerdesk.webhooks.events import record_event, record_events
from partnerdesk.webhooks.models import Event


def reseller_contacts(reseller: Reseller) -> list[str]:
    """The reseller's billing contact: its contact e-mail, else its owners."""
    if reseller.contact_email:
        return [reseller.contact_email]
    owners = reseller.memberships.filter(role="owner").select_related("user").order_by("id")
    return sorted({membership.user.email for membership in owners})


def billing_contacts(*, reseller: Reseller | None, customer: Customer | None) -> tuple[list[str], str]:
    """Addresses and language of whoever an invoice is billed to."""
    if reseller is not None:
        return reseller_contacts(reseller), reseller.language
    assert customer is not None
    return ([customer.contact_email] if customer.contact_email else []), customer.language


def _invoice_context(invoice: Invoice, language: str) -> dict:
    subscription = invoice.subscription
    return {
        "number": invoice.number,
        "customer_name": invoice.customer.company_name,
        "product": subscription.plan.product.name,
        "total": format_money(invoice.total, invoice.currency, language),
        "issued_at": invoice.issued_at,
        "due_at": invoice.due_at,
        "bank_transfer": invoice.payment_method == "bank_transfer",
        "iban": invoice.seller_iban,
        "bic": invoice.seller_bic,
        "link": f"{settings.BASE_URL}/",
    }


def _billed(invoice: Invoice) -> tuple[list[str], str]:
    return billing_contacts(reseller=invoice.billed_reseller, customer=invoice.billed_customer)


def invoice_issued_event(*, invoice: Invoice, now: datetime, lines: list[InvoiceLine] | None = None) -> Event:
    """The unsaved ``invoice.issued`` event (for :func:`record_events`)."""
    return unsaved(
        Event,
        type="invoice.issued",
        reseller_id=invoice.reseller_id,
        customer_id=invoice.customer_id,
        data=invoice_shape(invoice, lines),
        created_at=now,
    )


def invoice_issued_context(render_from: dict, language: str) -> dict:
    """The "invoice issued" e-mail's context, built when it is sent: the invoice's
    number, amounts and dates never change, so the e-mail tells the same whenever it is
    rendered (normally seconds after the invoice was issued)."""
    invoice = Invoice.objects.select_related("customer", "subscription__plan__product").get(pk=render_from["invoice"])
    return _invoice_context(invoice, language)


def invoice_issued_emails(*, invoice: Invoice, recipients: list[str] | None = None) -> list[OutboxEmail]:
    """The unsaved "invoice issued" e-mails to the billed party (for ``outbox_add_many``),
    rendered when sent; ``recipients``: the billed party's contacts when the caller has them."""
    found, language = _billed(invoice) if recipients is None else ([], invoice.language)
    recipients = found if recipients is None else recipients
    return [
        email_build_unrendered(to=to, template="invoice_issued", render_from={"invoice": invoice.pk}, language=language)
        for to in recipients
    ]


def invoice_issued_notify(*, invoice: Invoice, now: datetime, lines: list[InvoiceLine] | None = None) -> None:
    """The ``invoice.issued`` event and the "invoice issued" e-mail to the billed party
    (``lines``: the invoice's lines when the caller has them)."""
    record_events([invoice_issued_event(invoice=invoice, now=now, lines=lines)])
    outbox_add_many(invoice_issued_emails(invoice=invoice))


def invoice_paid_notify(*, invoice: Invoice, now: datetime) -> None:
    record_event(
        type="invoice.paid", reseller=invoice.reseller, customer=invoice.customer, data=invoice_shape(invoice), now=now
    )


def invoice_overdue_notify(*, invoice: Invoice, now: datetime) -> None:
    record_event(
        type="invoice.overdue",
        reseller=invoice.reseller,
        customer=invoice.customer,
        data={**invoice_shape(invoice), "days_overdue": (now - invoice.due_at).days},
        now=now,
    )


def payment_overdue_email(*, reminder: DunningReminder, suspend_on: datetime) -> int:
    """The "payment overdue" e-mail of one reminder; returns how many were queued."""
    invoice = reminder.invoice
    recipients, language = _billed(invoice)
    context = {
        **_invoice_context(invoice, language),
        "level": reminder.level,
        "suspend_on": suspend_on,
    }
    for to in recipients:
        email_enqueue(to=to, template="payment_overdue", context=context, language=language)
    return len(recipients)
