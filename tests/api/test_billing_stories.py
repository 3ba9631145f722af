"""The seed stories that involve money, through HTTP with the sandbox clock."""

from __future__ import annotations

import subprocess
import tempfile
from datetime import UTC, datetime, timedelta

import pytest

from partnerdesk.core.periods import add_months
from tests.api.conftest import assert_error

pytestmark = pytest.mark.django_db(transaction=True)

T0 = datetime(2026, 1, 15, 10, 0, tzinfo=UTC)
GERMAN_COMPANY = {
    "company_name": "Kanzlei Berg GmbH",
    "contact_name": "Max Berg",
    "contact_email": "max@berg.example",
    "domain": "berg.example",
    "country": "DE",
}


@pytest.fixture
def sandbox(settings, vendor_api):
    settings.SANDBOX = True

    def at(moment: datetime) -> None:
        response = vendor_api.post("/sandbox/clock", json={"now": moment.isoformat()})
        assert response.status_code == 200, response.text

    return at


def test_the_sandbox_is_404_outside_sandbox_mode_and_for_reseller_keys(api, vendor_api, settings):
    settings.SANDBOX = False
    assert_error(vendor_api.get("/sandbox/clock"), 404, "not_found")
    settings.SANDBOX = True
    assert_error(api.post("/sandbox/clock", json={"now": T0.isoformat()}), 404, "not_found")
    assert_error(api.post("/sandbox/billing-run"), 404, "not_found")
    assert vendor_api.get("/sandbox/clock").json()["frozen"] is False


def test_axcrypt_story_annual_50_days_left_plus_3_seats(api, sandbox, annual_plan):
    """Seed 004: 12 months, EU VAT, the reseller discount applied automatically, and a
    top-up charged for the remaining months rounded up: 50 days left → 2 months."""
    sandbox(T0)
    sub = api.post(
        "/subscriptions",
        json={"new_customer": GERMAN_COMPANY, "plan": annual_plan.code, "seats": 5, "payment_method": "bank_transfer"},
    ).json()
    assert sub["status"] == "active" and sub["current_period_end"].startswith("2027-01-15")
    first = api.get("/invoices", params={"subscription": sub["id"]}).json()["data"]
    assert [(i["subtotal"], i["discount"], i["tax"], i["total"]) for i in first] == [
        ("600.00", "120.00", "91.20", "571.20")
    ]  # 5 × 120.00, −20 %, 19 % VAT

    sandbox(add_months(T0, 12) - timedelta(days=50))
    quote = api.post(f"/subscriptions/{sub['id']}/seats/preview", json={"seats": 8}).json()
    assert (
        quote["months_charged"],
        quote["subtotal"],
        quote["discount"],
        quote["tax"],
        quote["total"],
        quote["effective"],
    ) == (2, "60.00", "12.00", "9.12", "57.12", "now")
    assert api.get(f"/subscriptions/{sub['id']}").json()["seats"] == 5  # a preview changes nothing

    ordered = api.post(f"/subscriptions/{sub['id']}/seats", json={"seats": 8}).json()
    assert ordered["subscription"]["seats"] == 8
    invoice = ordered["invoice"]
    assert (invoice["subtotal"], invoice["discount"], invoice["tax"], invoice["total"], invoice["currency"]) == (
        "60.00",
        "12.00",
        "9.12",
        "57.12",
        "EUR",
    )
    assert [(line["seats"], line["months"], line["unit_price"]) for line in invoice["lines"]] == [(3, 2, "10.00")]

    for n in range(8):
        assert api.post(f"/subscriptions/{sub['id']}/members", json={"email": f"u{n}@berg.example"}).status_code == 201
    assert_error(api.post(f"/subscriptions/{sub['id']}/members", json={"email": "u9@berg.example"}), 409, "conflict")
    # Fewer seats than assigned cannot even be quoted.
    assert_error(api.post(f"/subscriptions/{sub['id']}/seats/preview", json={"seats": 6}), 409, "conflict", "seats")


def test_reverse_charge_when_the_billed_reseller_is_an_eu_business_with_a_valid_vat_id(
    other_api, other_reseller, sandbox, annual_plan
):
    """Invoices go to the reseller, so the reseller's country and VAT ID decide the VAT:
    a Dutch reseller with a valid VAT ID pays 0 % with a reverse-charge note."""
    other_reseller.vat_id = "NL004495445B01"
    other_reseller.save(update_fields=["vat_id"])
    sandbox(T0)
    sub = other_api.post(
        "/subscriptions", json={"new_customer": GERMAN_COMPANY, "plan": annual_plan.code, "seats": 1}
    ).json()
    invoice = other_api.get("/invoices", params={"subscription": sub["id"]}).json()["data"][0]
    assert (invoice["discount"], invoice["tax"], invoice["total"], invoice["reverse_charge"]) == (
        "18.00",
        "0.00",
        "102.00",
        True,
    )  # 120.00 − 15 %
    assert "reverse" in invoice["tax_note"].lower()


def test_shared_contacts_story_invited_customer_licenses_invoices_pdf(api, sandbox, monthly_plan, smtp_server):
    """Seed 002: new customer with an invitation (status Invited), add licenses with +
    and "order now", the invoices list, view and download."""
    sandbox(T0)
    sub = api.post(
        "/subscriptions",
        json={"new_customer": GERMAN_COMPANY | {"invite": True}, "plan": monthly_plan.code, "seats": 10},
    ).json()
    assert api.get(f"/customers/{sub['customer']}").json()["status"] == "invited"
    sandbox(T0 + timedelta(days=10))
    quote = api.post(f"/subscriptions/{sub['id']}/seats/preview", json={"seats": 12}).json()
    assert (quote["months_charged"], quote["subtotal"]) == (1, "24.00")
    ordered = api.post(f"/subscriptions/{sub['id']}/seats", json={"seats": 12}).json()
    invoices = api.get("/invoices", params={"customer": sub["customer"]}).json()["data"]
    assert [i["id"] for i in invoices] == [ordered["invoice"]["id"], invoices[1]["id"]]  # newest first
    numbers = sorted(i["number"] for i in invoices)
    assert numbers[1] > numbers[0] and numbers[0].startswith("2026-")

    single = api.get(f"/invoices/{invoices[0]['id']}").json()
    assert single == invoices[0]
    pdf = api.get(f"/invoices/{invoices[0]['id']}/pdf")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(pdf.content)
        handle.flush()
        text = subprocess.run(["pdftotext", handle.name, "-"], capture_output=True, text=True, check=True).stdout
    assert single["number"] in text and f"€{single['total']}" in text and "Isar Systemhaus GmbH" in text


def test_sandbox_billing_run_renews_at_the_period_end(api, vendor_api, sandbox, monthly_plan):
    sandbox(T0)
    sub = api.post(
        "/subscriptions", json={"new_customer": GERMAN_COMPANY, "plan": monthly_plan.code, "seats": 2}
    ).json()
    sandbox(add_months(T0, 1) + timedelta(hours=1))
    ran = vendor_api.post("/sandbox/billing-run")
    assert ran.status_code == 200, ran.text
    renewed = api.get(f"/subscriptions/{sub['id']}").json()
    assert renewed["current_period_start"].startswith("2026-02-15")
    assert renewed["next_payment_date"] == "2026-03-15"
    assert len(api.get("/invoices", params={"subscription": sub["id"]}).json()["data"]) == 2
    vendor_api.post("/sandbox/billing-run")  # again: nothing more
    assert len(api.get("/invoices", params={"subscription": sub["id"]}).json()["data"]) == 2
