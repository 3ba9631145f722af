"""Card payments through a payment provider.

:class:`PaymentProvider` is the interface; :class:`StripeProvider` the implementation
(Stripe PaymentIntents through the official ``stripe`` package). Collecting an invoice
charges the card on file of whoever the invoice is billed to, then records the payment
(billing/services.py::invoice_record_payment), which also reactivates a past-due or
suspended subscription. A declined card leaves the invoice open: dunning takes over.

Exactly once: the charge carries an idempotency key derived from the invoice, so
collecting again (a retry, a re-run after a crash between charge and record) returns
the same PaymentIntent instead of charging twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

import stripe
from babel.numbers import get_currency_precision
from django.conf import settings
from django.db import transaction

from partnerdesk.audit.services import audit_record
from partnerdesk.billing.models import CardOnFile, Invoice
from partnerdesk.billing.services import invoice_record_payment
from partnerdesk.core import clock
from partnerdesk.core.actors import Actor
from partnerdesk.core.errors import conflict, invalid

SUCCEEDED = "succeeded"
PENDING = "pending"  # e.g. the bank asks the cardholder to authenticate (3-D Secure)
FAILED = "failed"


@dataclass(frozen=True)
class ChargeResult:
    status: str  # SUCCEEDED, PENDING or FAILED
    reference: str  # the provider's payment id
    message: str = ""


class PaymentProvider(Protocol):
    name: str

    def charge(self, *, invoice: Invoice, card: CardOnFile) -> ChargeResult: ...


def minor_units(invoice: Invoice) -> int:
    """The invoice total as an integer of minor units (cents), as card networks count."""
    return int(invoice.total.scaleb(get_currency_precision(invoice.currency)))


class StripeProvider:
    name = "stripe"

    def __init__(self, *, api_key: str, api_base: str | None = None) -> None:
        self.client = stripe.StripeClient(
            api_key, base_addresses={"api": api_base or settings.STRIPE_API_BASE}, max_network_retries=2
        )

    def charge(self, *, invoice: Invoice, card: CardOnFile) -> ChargeResult:
        try:
            intent = self.client.v1.payment_intents.create(
                params={
                    "amount": minor_units(invoice),
                    "currency": invoice.currency.lower(),
                    "customer": card.provider_customer,
                    "payment_method": card.provider_payment_method,
                    "confirm": True,
                    "off_session": True,
                    "description": f"Invoice {invoice.number}",
                    "metadata": {"invoice": invoice.public_id, "number": invoice.number},
                },
                options={"idempotency_key": f"partnerdesk-invoice-{invoice.public_id}"},
            )
        except stripe.CardError as error:
            payment_intent = (error.json_body or {}).get("error", {}).get("payment_intent") or {}
            return ChargeResult(FAILED, payment_intent.get("id", ""), error.user_message or str(error))
        if intent.status == "succeeded":
            return ChargeResult(SUCCEEDED, intent.id)
        if intent.status in ("requires_action", "processing", "requires_confirmation"):
            return ChargeResult(PENDING, intent.id, intent.status)
        return ChargeResult(FAILED, intent.id, intent.status)


def configured_provider() -> PaymentProvider | None:
    if not settings.STRIPE_SECRET_KEY:
        return None
    return StripeProvider(api_key=settings.STRIPE_SECRET_KEY)


def invoice_collect_card_payment(
    *, invoice: Invoice, provider: PaymentProvider, now: datetime | None = None
) -> ChargeResult:
    """Charge the payer's card for an open card invoice and record the outcome.

    The provider is called outside any database transaction (a network call must not
    hold row locks); a success is then recorded like any payment, audited, by the
    provider as actor.
    """
    now = clock.resolve(now)
    invoice = Invoice.objects.select_related("billed_reseller", "billed_customer").get(pk=invoice.pk)
    if invoice.kind != Invoice.Kind.INVOICE or invoice.payment_method != "card":
        raise invalid("Only card invoices are charged to a card.", "invoice")
    if invoice.status != Invoice.Status.OPEN:
        raise conflict(f"Invoice {invoice.number} is {invoice.status}, not open.", "invoice")
    card = CardOnFile.objects.filter(
        reseller=invoice.billed_reseller, customer=invoice.billed_customer, provider=provider.name
    ).first()
    if card is None:
        raise conflict("No card on file for this invoice's payer.", "invoice")
    result = provider.charge(invoice=invoice, card=card)
    actor = Actor(tenant=Actor.system().tenant, label=provider.name)
    if result.status == SUCCEEDED:
        invoice_record_payment(actor=actor, invoice=invoice, reference=f"{provider.name} {result.reference}", now=now)
    else:
        with transaction.atomic():
            audit_record(
                actor=actor,
                action=f"invoice.card_payment_{result.status}",
                obj=invoice,
                acting_on=invoice.customer,
                reseller=invoice.reseller,
                after={"reference": result.reference, "message": result.message},
                now=now,
            )
    return result
