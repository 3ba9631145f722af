"""Card payments: the Stripe provider (official ``stripe`` package) against a real local
HTTP server that answers with Stripe-format JSON responses (tests/stripe/*.json)."""

import threading
from datetime import timedelta
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl

import pytest

from partnerdesk.audit.models import AuditEvent
from partnerdesk.billing.models import CardOnFile, Invoice
from partnerdesk.billing.payments import StripeProvider, configured_provider, invoice_collect_card_payment, minor_units
from partnerdesk.billing.run import billing_run
from partnerdesk.core.errors import DomainError
from partnerdesk.subscriptions.models import Subscription
from partnerdesk.subscriptions.services import subscription_change_seats
from partnerdesk.subscriptions.tests.factories import make_subscription
from partnerdesk.webhooks.models import Event

RECORDED = Path(__file__).parent / "stripe"
RESPONSES = {
    "pm_card_visa": (200, "payment_intent_succeeded.json"),
    "pm_card_authenticationRequired": (200, "payment_intent_requires_action.json"),
    "pm_card_chargeDeclined": (402, "card_declined.json"),
}


class FakeStripe(BaseHTTPRequestHandler):
    """POST /v1/payment_intents, with Stripe's idempotency: a repeated key gets the
    first response again and is not counted as a new charge."""

    requests: list[dict]
    by_key: dict[str, tuple[int, bytes]]

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"])).decode()
        key = self.headers.get("Idempotency-Key", "")
        if key not in self.by_key:
            form = dict(parse_qsl(body))
            self.requests.append(
                {"path": self.path, "form": form, "key": key, "auth": self.headers.get("Authorization")}
            )
            status, name = RESPONSES[form["payment_method"]]
            self.by_key[key] = (status, (RECORDED / name).read_bytes())
        status, payload = self.by_key[key]
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Request-Id", "req_test")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args):
        pass


@pytest.fixture
def fake_stripe():
    handler = type("Handler", (FakeStripe,), {"requests": [], "by_key": {}})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield handler, StripeProvider(api_key="sk_test_partnerdesk", api_base=f"http://127.0.0.1:{server.server_port}")
    server.shutdown()
    server.server_close()


@pytest.fixture
def card_invoice(vendor, actor, reseller, annual_plan, now):
    """The golden top-up (57.12 EUR) on a subscription paid by card."""
    sub = make_subscription(actor, annual_plan, now=now, seats=5, payment_method="card")
    _, invoice = subscription_change_seats(
        actor=actor, subscription=sub, seats=8, now=sub.current_period_end - timedelta(days=50)
    )
    return invoice


def card(reseller, payment_method: str, now) -> CardOnFile:
    return CardOnFile.objects.create(
        reseller=reseller,
        provider_customer="cus_RnTestIsar01",
        provider_payment_method=payment_method,
        created_at=now,
    )


def test_minor_units():
    assert minor_units(Invoice(total=Decimal("57.12"), currency="EUR")) == 5712
    assert minor_units(Invoice(total=Decimal("1370"), currency="JPY")) == 1370


def test_a_successful_charge_records_the_payment(fake_stripe, card_invoice, reseller, now):
    handler, provider = fake_stripe
    card(reseller, "pm_card_visa", now)
    result = invoice_collect_card_payment(invoice=card_invoice, provider=provider, now=card_invoice.issued_at)
    assert (result.status, result.reference) == ("succeeded", "pi_3QxTestSucceeded0001")
    [request] = handler.requests
    assert request["path"] == "/v1/payment_intents"
    assert request["auth"] == "Bearer sk_test_partnerdesk"
    assert request["key"] == f"partnerdesk-invoice-{card_invoice.public_id}"
    assert {k: request["form"][k] for k in ("amount", "currency", "customer", "confirm", "off_session")} == {
        "amount": "5712",
        "currency": "eur",
        "customer": "cus_RnTestIsar01",
        "confirm": "true",
        "off_session": "true",
    }
    assert request["form"]["metadata[invoice]"] == card_invoice.public_id
    invoice = Invoice.objects.get(pk=card_invoice.pk)
    assert (invoice.status, invoice.payment_reference) == ("paid", "stripe pi_3QxTestSucceeded0001")
    event = AuditEvent.objects.get(action="invoice.record_payment", object_id=invoice.public_id)
    assert event.actor == "stripe"
    [paid] = Event.objects.filter(type="invoice.paid")
    assert (paid.data["id"], paid.data["status"], paid.reseller_id) == (invoice.public_id, "paid", reseller.pk)


def test_collecting_twice_never_charges_twice(fake_stripe, card_invoice, reseller, now):
    handler, provider = fake_stripe
    card(reseller, "pm_card_visa", now)
    invoice_collect_card_payment(invoice=card_invoice, provider=provider)
    with pytest.raises(DomainError) as error:
        invoice_collect_card_payment(invoice=card_invoice, provider=provider)
    assert error.value.code == "conflict"
    # and a retry of the same charge (a crash before recording) reuses the idempotency key
    provider.charge(invoice=card_invoice, card=CardOnFile.objects.get())
    assert len(handler.requests) == 1


def test_a_declined_card_leaves_the_invoice_open_for_dunning(fake_stripe, card_invoice, reseller, now):
    _, provider = fake_stripe
    card(reseller, "pm_card_chargeDeclined", now)
    result = invoice_collect_card_payment(invoice=card_invoice, provider=provider, now=card_invoice.issued_at)
    assert (result.status, result.reference, result.message) == (
        "failed",
        "pi_3QxTestDeclined0001",
        "Your card was declined.",
    )
    assert Invoice.objects.get(pk=card_invoice.pk).status == "open"
    assert AuditEvent.objects.filter(action="invoice.card_payment_failed").count() == 1
    assert not Event.objects.filter(type="invoice.paid").exists()
    counts = billing_run(now=card_invoice.due_at + timedelta(days=3))
    assert counts["reminder_1"] == 1


def test_authentication_required_stays_open_as_pending(fake_stripe, card_invoice, reseller, now):
    _, provider = fake_stripe
    card(reseller, "pm_card_authenticationRequired", now)
    result = invoice_collect_card_payment(invoice=card_invoice, provider=provider)
    assert (result.status, result.message) == ("pending", "requires_action")
    assert Invoice.objects.get(pk=card_invoice.pk).status == "open"


def test_paying_by_card_reactivates_a_suspended_subscription(fake_stripe, card_invoice, reseller, now):
    _, provider = fake_stripe
    card(reseller, "pm_card_visa", now)
    sub = card_invoice.subscription
    Invoice.objects.filter(subscription=sub).exclude(pk=card_invoice.pk).update(status="paid", paid_at=now)
    billing_run(now=card_invoice.due_at + timedelta(days=15))
    assert Subscription.objects.get(pk=sub.pk).status == "suspended"
    invoice_collect_card_payment(invoice=card_invoice, provider=provider, now=card_invoice.due_at + timedelta(days=16))
    assert Subscription.objects.get(pk=sub.pk).status == "active"


def test_no_card_on_file_or_a_bank_transfer_invoice_is_refused(fake_stripe, vendor, actor, annual_plan, now):
    handler, provider = fake_stripe
    bank = Invoice.objects.get(subscription=make_subscription(actor, annual_plan, now=now, seats=1))
    with pytest.raises(DomainError) as error:
        invoice_collect_card_payment(invoice=bank, provider=provider)
    assert error.value.code == "invalid_request"
    by_card = Invoice.objects.get(
        subscription=make_subscription(actor, annual_plan, now=now, seats=1, payment_method="card")
    )
    with pytest.raises(DomainError) as error:
        invoice_collect_card_payment(invoice=by_card, provider=provider)
    assert error.value.code == "conflict"
    assert handler.requests == []
    assert Invoice.objects.filter(status="open").count() == 2


def test_the_billing_run_charges_new_card_invoices_once(fake_stripe, vendor, actor, reseller, monthly_plan, now):
    handler, provider = fake_stripe
    card(reseller, "pm_card_chargeDeclined", now)
    make_subscription(actor, monthly_plan, now=now, seats=1, payment_method="card")
    make_subscription(actor, monthly_plan, now=now, seats=1)  # bank transfer: not charged
    assert billing_run(now=now + timedelta(hours=1), provider=provider) == {"card_failed": 1}
    assert billing_run(now=now + timedelta(hours=2), provider=provider) == {}  # declined once is enough
    assert len(handler.requests) == 1


def test_stripe_is_used_only_when_configured(settings):
    settings.STRIPE_SECRET_KEY = ""
    assert configured_provider() is None
    settings.STRIPE_SECRET_KEY = "sk_test_partnerdesk"
    assert isinstance(configured_provider(), StripeProvider)
