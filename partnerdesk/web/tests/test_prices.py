"""The prices the console shows come from the billing module: discount and VAT included."""

from __future__ import annotations

from datetime import timedelta

import pytest

from partnerdesk.billing.models import Invoice
from partnerdesk.subscriptions.models import Subscription

pytestmark = pytest.mark.django_db

NEW = {
    "customer": "",
    "company_name": "Kanal Druckerei GmbH",
    "country": "DE",
    "product": "signatures-m365",
    "term": "1",
    "seats": "5",
    "payment_method": "bank_transfer",
}


def test_the_price_with_discount_and_vat_is_shown_before_confirming(client_in, trial_plan, frozen):
    response = client_in.post("/console/subscriptions/new", NEW)
    assert response.status_code == 200
    assert response.templates[0].name == "web/subscription_review.html"
    html = response.content.decode()
    # 5 x 1.80 = 9.00, 20 % reseller discount 1.80, net 7.20, VAT 19 % 1.37, total 8.57
    for text in ["€9.00", "Your reseller discount (20 %)", "\u2212€1.80", "€7.20", "VAT 19 %", "€1.37", "€8.57"]:
        assert text in html
    assert "Free for the 14-day trial" in html
    assert not Subscription.objects.exists()
    assert 'name="company_name" value="Kanal Druckerei GmbH"' in html  # carried to the confirmation
    client_in.post("/console/subscriptions/new", {**NEW, "confirm": "1"})
    assert Subscription.objects.get().seats == 5


def test_change_on_the_review_page_goes_back_to_the_filled_in_form(client_in, trial_plan, frozen):
    response = client_in.post("/console/subscriptions/new", {**NEW, "edit": "1"})
    assert response.templates[0].name == "web/subscription_new.html"
    assert 'value="Kanal Druckerei GmbH"' in response.content.decode()


def test_the_live_quote_fragment_in_german(client_in, trial_plan, frozen):
    response = client_in.get("/console/subscriptions/new/quote", NEW, HTTP_ACCEPT_LANGUAGE="de")
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="quote"')
    assert "8,57\xa0€" in html
    missing = client_in.get("/console/subscriptions/new/quote", {**NEW, "product": ""}).content.decode()
    assert "Choose a product, a term and the number of users" in missing and 'class="error"' not in missing
    unsold = client_in.get("/console/subscriptions/new/quote", {**NEW, "term": "12"}).content.decode()
    assert "This product is not sold with this term." in unsold


def test_licenses_plus_shows_the_prorated_quote_then_order_now_issues_the_invoice(client_in, subscription, frozen, now):
    frozen(subscription.current_period_end - timedelta(days=50))  # seed 004: 50 days left -> 2 months
    url = f"/console/subscriptions/{subscription.public_id}/"
    response = client_in.get(url + "seats/quote", {"seats": "4", "step": "+1"})
    html = response.content.decode()
    # 2 extra x 2 months x 10.00 = 40.00, discount 8.00, net 32.00, VAT 6.08, total 38.08
    for text in [
        "2 \u00d7 2 months",
        "€40.00",
        "\u2212€8.00",
        "€6.08",
        "€38.08",
        "Order now",
        'name="seats" value="5"',
    ]:
        assert text in html
    subscription.refresh_from_db()
    assert subscription.seats == 3  # a quote changes nothing
    response = client_in.post(url + "seats", {"seats": "5"}, follow=True)
    subscription.refresh_from_db()
    assert subscription.seats == 5
    invoice = Invoice.objects.filter(subscription=subscription).order_by("-id").first()
    assert str(invoice.total) == "38.08" and f"Invoice {invoice.number} was issued." in response.content.decode()


def test_minus_below_the_assigned_seats_is_refused_in_the_quote(client_in, subscription, frozen):
    url = f"/console/subscriptions/{subscription.public_id}/"
    for n in range(3):
        client_in.post(url + "members", {"email": f"u{n}@amstel.example"})
    response = client_in.get(url + "seats/quote", {"seats": "3", "step": "-1"})
    assert "3 licenses are assigned to members; remove members first." in response.content.decode()
    assert "Order now" not in response.content.decode()
