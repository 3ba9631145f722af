"""The invoice PDF opens in pdftotext (poppler) and shows what an invoice must show."""

import shutil
import subprocess
from datetime import timedelta

import pytest

from partnerdesk.billing.models import Invoice, InvoicePdf
from partnerdesk.billing.pdf import invoice_pdf
from partnerdesk.billing.services import credit_note_issue, invoice_record_payment
from partnerdesk.customers.tests.factories import make_customer
from partnerdesk.subscriptions.services import subscription_change_seats
from partnerdesk.subscriptions.tests.factories import make_subscription


def text_of(pdf: bytes, tmp_path) -> str:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed; .ci/run installs it")
    path = tmp_path / "invoice.pdf"
    path.write_bytes(pdf)
    result = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True)
    return result.stdout


@pytest.fixture
def golden_invoice(vendor, actor, reseller, annual_plan, now):
    vendor.address = "Königstraße 1\n70173 Stuttgart"
    vendor.bank_name = "Commerzbank"
    vendor.save()
    reseller.address = "Müllerstraße 5\n80469 München"
    reseller.language = "de"
    reseller.save()
    sub = make_subscription(actor, annual_plan, now=now, seats=5)
    _, invoice = subscription_change_seats(
        actor=actor, subscription=sub, seats=8, now=sub.current_period_end - timedelta(days=50)
    )
    return invoice


def test_german_invoice_shows_parties_lines_totals_and_bank_details(golden_invoice, tmp_path):
    text = text_of(invoice_pdf(golden_invoice), tmp_path)
    for expected in [
        "Rechnung 2027-000001",
        "Rechnungsdatum",
        "Fällig am",
        "Cloudwerk Software GmbH",
        "Königstraße 1",
        "USt-IdNr.: DE136695976",
        "Isar Systemhaus GmbH",
        "Müllerstraße 5",
        "AxCrypt Business \u2013 Annual",
        "zusätzliche",
        "2 Monate",
        "10,00 €",
        "60,00 €",
        "-12,00 €",
        "48,00 €",
        "USt. 19 %",
        "9,12 €",
        "Gesamtbetrag",
        "57,12 €",
        "IBAN: DE89370400440532013000",
        "BIC: COBADEFFXXX",
        "Verwendungszweck: 2027-000001",
    ]:
        assert expected in text, expected
    assert "Reverse" not in text


def test_dutch_reverse_charge_invoice(vendor, other_actor, other_reseller, annual_plan, now, tmp_path):
    other_reseller.vat_id = "NL004495445B01"
    other_reseller.language = "nl"
    other_reseller.save()
    customer = make_customer(other_actor, now=now)
    make_subscription(other_actor, annual_plan, now=now, seats=2, customer=customer)
    invoice = Invoice.objects.get(billed_reseller=other_reseller)
    text = text_of(invoice_pdf(invoice), tmp_path)
    for expected in [
        "Factuur 2026-000001",
        "Btw-nummer: NL004495445B01",
        "Btw 0 %",
        "Btw verlegd",
        "Totaal",
        "€ 204,00",
    ]:
        assert expected in text, expected


def test_english_card_invoice_and_paid_stamp(vendor, vendor_actor, actor, reseller, monthly_plan, now, tmp_path):
    sub = make_subscription(actor, monthly_plan, now=now, seats=3, payment_method="card")
    invoice = Invoice.objects.get(subscription=sub)
    text = text_of(invoice_pdf(invoice), tmp_path)
    assert "Invoice 2026-000001" in text and "€34.27" in text
    assert "charged to your card" in text and "IBAN" not in text
    paid = invoice_record_payment(actor=vendor_actor, invoice=invoice, now=now + timedelta(days=1))
    assert "Paid on Mar 11, 2026" in text_of(invoice_pdf(paid), tmp_path)


def test_credit_note_pdf(vendor, vendor_actor, actor, monthly_plan, now, tmp_path):
    sub = make_subscription(actor, monthly_plan, now=now, seats=3)
    note = credit_note_issue(actor=vendor_actor, invoice=Invoice.objects.get(subscription=sub), now=now)
    text = text_of(invoice_pdf(note), tmp_path)
    assert "Credit note 2026-000002" in text and "Corrects invoice" in text and "-€34.27" in text


def test_the_pdf_is_rendered_once_and_cached(golden_invoice):
    first = invoice_pdf(golden_invoice)
    assert first.startswith(b"%PDF-")
    cached = InvoicePdf.objects.get(invoice=golden_invoice)
    assert bytes(cached.content) == first
    assert invoice_pdf(golden_invoice) == first
    assert InvoicePdf.objects.count() == 1
