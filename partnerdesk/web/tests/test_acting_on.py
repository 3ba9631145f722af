"""The acting-on selector (seed 004): the page shows the current choice and a search;
the customers come from a search of at most 20, never the whole list."""

from __future__ import annotations

import pytest

from partnerdesk.customers.tests.factories import make_customer
from partnerdesk.web import views

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def choices(response) -> list[str]:
    return [customer.company_name for customer in response.context["customers"]]


@pytest.fixture
def customers(actor, now):
    return {name: make_customer(actor, now=now, name=name) for name in ["Gamma KG", "Alpha GmbH", "Beta AG"]}


def test_console_pages_show_the_choice_and_a_search_not_every_customer(client_in, customers, other_subscription):
    html = client_in.get("/console/").content.decode()
    assert 'id="acting-on-q"' in html and "All customers" in html
    assert "Alpha GmbH" not in html and '<option value="cus_' not in html
    client_in.post("/console/acting-on", {"customer": customers["Beta AG"].public_id})
    html = client_in.get("/console/").content.decode()
    assert '<strong translate="no">Beta AG</strong>' in html
    assert "Show all customers" in html and "Alpha GmbH" not in html


def test_search_finds_own_customers_by_name_email_or_domain(client_in, customers, other_subscription):
    assert choices(client_in.get("/console/acting-on/search")) == ["Alpha GmbH", "Beta AG", "Gamma KG"]
    assert choices(client_in.get("/console/acting-on/search?q=beta")) == ["Beta AG"]
    assert choices(client_in.get("/console/acting-on/search?q=gamma.example")) == ["Gamma KG"]
    # The other reseller's customer is never offered.
    assert choices(client_in.get("/console/acting-on/search?q=Geheim")) == []
    assert "No customer matches." in client_in.get("/console/acting-on/search?q=Geheim").content.decode()


def test_htmx_gets_the_list_alone_and_a_browser_without_javascript_a_page(client_in, customers):
    partial = client_in.get("/console/acting-on/search?q=a&next=/console/invoices/", **HTMX)
    html = partial.content.decode()
    assert "<html" not in html and 'value="/console/invoices/"' in html
    assert html.count('name="customer"') == 3 and "csrfmiddlewaretoken" in html
    assert "HX-Request" in partial["Vary"]
    page = client_in.get("/console/acting-on/search?q=a&next=/console/invoices/")
    assert "<html" in page.content.decode() and "Act on a customer" in page.content.decode()
    # A boosted form submission (hx-boost) swaps in a whole page too.
    boosted = client_in.get("/console/acting-on/search?q=a", HTTP_HX_BOOSTED="true", **HTMX)
    assert "<html" in boosted.content.decode()


def test_choosing_a_result_acts_on_it_and_goes_back(client_in, customers):
    page = client_in.get("/console/acting-on/search?q=alpha&next=/console/invoices/").content.decode()
    alpha = customers["Alpha GmbH"].public_id
    assert f'name="customer" value="{alpha}"' in page
    response = client_in.post("/console/acting-on", {"customer": alpha, "next": "/console/invoices/"})
    assert response.status_code == 302 and response["Location"] == "/console/invoices/"
    assert client_in.session["pd_acting_on"] == alpha
    page = client_in.get("/console/acting-on/search?q=alpha").content.decode()
    assert 'aria-current="true"' in page


def test_next_pointing_elsewhere_falls_back_to_the_dashboard(client_in, customers):
    page = client_in.get("/console/acting-on/search?q=a&next=https://evil.example/").content.decode()
    assert 'name="next" value="https://evil.example/"' not in page
    assert page.count('name="next" value="/console/"') == 2  # the search form and the results


def test_at_most_twenty_customers_and_a_hint_to_type_more(client_in, actor, now, monkeypatch):
    monkeypatch.setattr(views, "ACTING_ON_CHOICES", 2)
    for name in ["Delta BV", "Epsilon BV", "Zeta BV"]:
        make_customer(actor, now=now, name=name)
    response = client_in.get("/console/acting-on/search?q=BV")
    assert choices(response) == ["Delta BV", "Epsilon BV"]
    assert "Only the first 2 customers are shown: type more of the name." in response.content.decode()
    assert "type more" not in client_in.get("/console/acting-on/search?q=Zeta").content.decode()
    german = client_in.get("/console/acting-on/search?q=BV", HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert "Nur die ersten 2 Kunden werden angezeigt" in german


def test_search_runs_the_same_queries_for_any_number_of_customers(client_in, actor, now):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    make_customer(actor, now=now, name="Firma0 GmbH")
    client_in.get("/console/acting-on/search?q=Firma", **HTMX)
    with CaptureQueriesContext(connection) as small:
        client_in.get("/console/acting-on/search?q=Firma", **HTMX)
    for i in range(1, 30):
        make_customer(actor, now=now, name=f"Firma{i} GmbH")
    with CaptureQueriesContext(connection) as large:
        response = client_in.get("/console/acting-on/search?q=Firma", **HTMX)
    assert len(large) == len(small)
    assert len(response.context["customers"]) == 20
