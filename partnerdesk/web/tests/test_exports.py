"""CSV downloads from the console: the same exports as ``partnerdesk export``."""

from __future__ import annotations

import csv
import io

import pytest

from partnerdesk.accounts.models import ResellerMembership
from partnerdesk.billing.models import Invoice
from partnerdesk.customers.tests.factories import make_customer
from partnerdesk.subscriptions.tests.factories import make_subscription

pytestmark = pytest.mark.django_db


def download(client, what: str) -> tuple[object, list[dict[str, str]]]:
    response = client.get(f"/console/export/{what}.csv")
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode()
    return response, list(csv.DictReader(io.StringIO(body)))


def test_each_export_holds_the_resellers_rows_only(frozen, client_in, subscription, other_subscription):
    response, customers = download(client_in, "customers")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="customers-2026-03-10.csv"'
    assert [(c["id"], c["company_name"]) for c in customers] == [
        (subscription.customer.public_id, "Amstel Logistiek B.V.")
    ]
    _, subscriptions = download(client_in, "subscriptions")
    assert [(s["id"], s["customer"], s["seats"]) for s in subscriptions] == [
        (subscription.public_id, "Amstel Logistiek B.V.", "3")
    ]
    _, invoices = download(client_in, "invoices")
    mine = Invoice.objects.get(subscription=subscription)
    assert [(i["number"], i["subscription"], i["total"], i["currency"]) for i in invoices] == [
        (mine.number, subscription.public_id, "342.72", "EUR")
    ]


def test_pages_link_to_their_export(client_in, subscription):
    for page, what in [
        ("/console/", "subscriptions"),
        ("/console/customers/", "customers"),
        ("/console/invoices/", "invoices"),
    ]:
        assert f'href="/console/export/{what}.csv"' in client_in.get(page).content.decode()


def test_acting_on_narrows_the_export_to_that_customer(client_in, actor, annual_plan, now, subscription):
    other = make_subscription(actor, annual_plan, now=now, customer=make_customer(actor, now=now, name="Beta AG"))
    client_in.post("/console/acting-on", {"customer": other.customer.public_id})
    for what, key, expected in [
        ("customers", "company_name", ["Beta AG"]),
        ("subscriptions", "id", [other.public_id]),
        ("invoices", "subscription", [other.public_id]),
    ]:
        assert [row[key] for row in download(client_in, what)[1]] == expected


@pytest.mark.parametrize("role", ["billing", "viewer"])
def test_every_team_role_may_download(client, reseller, subscription, django_user_model, role):
    user = django_user_model.objects.create_user(email=f"{role}@isar.example", password="x")
    ResellerMembership.objects.create(user=user, reseller=reseller, role=role)
    client.force_login(user)
    assert [row["subscription"] for row in download(client, "invoices")[1]] == [subscription.public_id]


def test_others_cannot_download(client, client_in, subscription, django_user_model):
    assert client_in.get("/console/export/users.csv").status_code == 404
    client.logout()
    assert client.get("/console/export/customers.csv").status_code == 302  # to sign in
    stranger = django_user_model.objects.create_user(email="stranger@example.com", password="x")
    client.force_login(stranger)
    assert client.get("/console/export/customers.csv").status_code == 403
