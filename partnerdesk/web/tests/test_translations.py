"""No untranslated string on the reseller and customer pages.

Two checks: every message in the German and Dutch catalogs is translated (and not
fuzzy), and every page, rendered in English, German and Dutch, shows no visible text
(nor placeholder, aria-label or title) that is identical in all three languages, apart
from data (names, e-mail addresses, ids) and a short list of words that are the same.
Data is marked ``translate="no"`` in the templates, which this check also honours.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.conf import settings

from partnerdesk.accounts.models import Reseller, User
from partnerdesk.catalog.models import Product
from partnerdesk.core.actors import Actor
from partnerdesk.customers.models import Customer, CustomerMembership
from partnerdesk.invitations.services import relationship_request_create, team_invite
from partnerdesk.subscriptions.services import subscription_cancel, subscription_schedule_seat_reduction
from partnerdesk.subscriptions.tests.factories import make_subscription

# The same in English, German and Dutch.
SAME_IN_ALL = {"partnerdesk", "Status", "Team", "English", "Deutsch", "Nederlands", "Portal", "Webhooks", "https"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
LOCALE_DIR = Path(settings.LOCALE_PATHS[0])


@pytest.mark.parametrize("language", ["de", "nl"])
def test_every_catalog_message_is_translated(language):
    with open(LOCALE_DIR / language / "LC_MESSAGES" / "django.po", "rb") as handle:
        catalog = read_po(handle)
    assert len(catalog) > 100
    untranslated = [
        m.id for m in catalog if m.id and (m.fuzzy or not all(m.string if isinstance(m.string, tuple) else [m.string]))
    ]
    assert untranslated == []


class VisibleText(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[bool] = []  # per open element: is it skipped?
        self.texts: list[str] = []

    @property
    def skipping(self) -> bool:
        return any(self.stack)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        skip = self.skipping or tag in ("script", "style") or attrs.get("translate") == "no"
        if not skip:
            for name in ("placeholder", "aria-label", "title"):
                if attrs.get(name):
                    self.texts.append(attrs[name])
            if tag == "input" and attrs.get("type") in ("submit", "button") and attrs.get("value"):
                self.texts.append(attrs["value"])
        if tag not in VOID:
            self.stack.append(skip)

    def handle_endtag(self, tag):
        if tag not in VOID and self.stack:
            self.stack.pop()

    def handle_data(self, data):
        if not self.skipping and data.strip():
            self.texts.append(data)


def visible(html: str) -> set[str]:
    parser = VisibleText()
    parser.feed(html)
    pieces = set()
    for text in parser.texts:
        for piece in re.split(r"[\n:()·]+", text):
            piece = " ".join(piece.split()).strip(" ,.;·*")
            if re.search(r"[A-Za-zÀ-ÿ]{2,}", piece):
                pieces.add(piece)
    return pieces


def data_values() -> set[str]:
    values = set(Customer.objects.values_list("company_name", flat=True))
    values |= set(Product.objects.values_list("name", flat=True))
    values |= set(Reseller.objects.values_list("name", flat=True))
    values |= set(User.objects.values_list("email", flat=True))
    return values


def untranslated(client, path: str, *, method: str = "get", data=None) -> list[str]:
    pages = {}
    for language in ("en", "de", "nl"):
        call = client.post if method == "post" else client.get
        response = call(path, data or {}, HTTP_ACCEPT_LANGUAGE=language)
        assert response.status_code in (200, 422), (path, language, response.status_code)
        assert f'<html lang="{language}"' in response.content.decode() or language == "en"
        pages[language] = visible(response.content.decode())
    same = pages["en"] & pages["de"] & pages["nl"]
    return sorted(text for text in same if text not in SAME_IN_ALL and text not in data_values())


@pytest.fixture
def world(vendor, actor, annual_plan, trial_plan, now, frozen):
    sub = make_subscription(actor, annual_plan, now=now, seats=4, customer_can_manage=True)
    from partnerdesk.subscriptions.services import admin_add, member_add

    member_add(actor=actor, subscription=sub, email="it@amstel.example")
    admin_add(actor=actor, subscription=sub, email="boss@amstel.example", can_purchase=True)
    subscription_schedule_seat_reduction(actor=actor, subscription=sub, seats=3, now=now)
    ended = make_subscription(actor, trial_plan, now=now, seats=2, customer=sub.customer)
    subscription_cancel(actor=actor, subscription=ended, now=now)
    team_invite(actor=actor, email="neu@isar.example", role="viewer", now=now)
    company = Customer.objects.create(company_name="Zelf B.V.", country="NL", created_at=now)
    admin = User.objects.create_user(email="it@zelf.example", password="x")
    relationship_request_create(actor=Actor.customer_user(admin, company), reseller=actor.reseller, now=now)
    return sub


RESELLER_PAGES = [
    "/console/",
    "/console/?status=trial",  # the empty table
    "/console/subscriptions/archived",
    "/console/subscriptions/new",
    "/console/customers/",
    "/console/team",
    "/console/api-keys",
    "/console/invoices/",
    "/console/settings",
    "/console/customers/new",
    "/console/webhooks",
    "/console/acting-on/search",  # the acting-on selector's page without JavaScript
    "/console/acting-on/search?q=nobody",
]


@pytest.mark.django_db
@pytest.mark.parametrize("path", RESELLER_PAGES)
def test_reseller_pages_are_translated(client_in, world, path):
    missing = untranslated(client_in, path)
    assert missing == [], (path, missing)


@pytest.mark.django_db
def test_reseller_pages_with_a_subscription_are_translated(client_in, world):
    sub = world
    assert untranslated(client_in, f"/console/subscriptions/{sub.public_id}/") == []
    assert untranslated(client_in, f"/console/subscriptions/{sub.public_id}/seats/quote?seats=6") == []
    assert untranslated(client_in, f"/console/customers/{sub.customer.public_id}/edit") == []
    invoice = sub.invoices.get()
    assert untranslated(client_in, f"/console/invoices/{invoice.public_id}/") == []
    review = {"product": "signatures-m365", "term": "1", "seats": "5", "payment_method": "card"}
    review |= {"company_name": "Kanal GmbH", "country": "DE", "customer_can_manage": "on"}
    review |= {"contact_name": "Lena", "contact_email": "lena@kanal.example"}
    assert untranslated(client_in, "/console/subscriptions/new", method="post", data=review) == []
    assert untranslated(client_in, "/console/api-keys", method="post", data={"name": "k"}) == []
    invalid = {"company_name": "", "country": "DE"}
    assert untranslated(client_in, "/console/subscriptions/new", method="post", data=invalid) == []


@pytest.mark.django_db
def test_customer_portal_pages_are_translated(client, world, actor, django_user_model):
    sub = world
    from partnerdesk.subscriptions.services import admin_add

    admin_add(
        actor=actor,
        subscription=sub,
        email="portal@amstel.example",
        can_purchase=True,
    )
    user = django_user_model.objects.create_user(email="portal@amstel.example", password="x")
    CustomerMembership.objects.create(user=user, customer=sub.customer)
    client.force_login(user)
    client.post("/portal/partner-request", {"reseller": "Isar Systemhaus GmbH"})  # already manages: an error
    assert untranslated(client, "/portal/") == []
    assert untranslated(client, "/portal/partner-request", method="post", data={"reseller": ""}) == []
    assert untranslated(client, f"/portal/subscriptions/{sub.public_id}/") == []
    assert untranslated(client, f"/portal/subscriptions/{sub.public_id}/seats/quote?seats=5") == []


@pytest.mark.django_db
def test_money_and_dates_are_localized(client_in, world):
    sub = world
    de = client_in.get(f"/console/subscriptions/{sub.public_id}/", HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert "120,00\xa0€" in de and "10. März 2027" in de
    nl = client_in.get(f"/console/subscriptions/{sub.public_id}/", HTTP_ACCEPT_LANGUAGE="nl").content.decode()
    assert "€\xa0120,00" in nl and "10 maart 2027" in nl
    en = client_in.get(f"/console/subscriptions/{sub.public_id}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "€120.00" in en and "March 10, 2027" in en


@pytest.mark.django_db
def test_the_language_switcher_sets_the_language(client_in, world):
    response = client_in.post("/language", {"language": "nl", "next": "/console/"})
    assert response.status_code == 302 and response["Location"] == "/console/"
    html = client_in.get("/console/").content.decode()
    assert '<html lang="nl">' in html and "Klantabonnementen" in html
