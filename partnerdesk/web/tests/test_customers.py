from __future__ import annotations

import pytest

from partnerdesk.customers.tests.factories import make_customer
from partnerdesk.invitations.models import Invitation
from partnerdesk.subscriptions.tests.factories import make_subscription

pytestmark = pytest.mark.django_db


def names(response) -> list[str]:
    return [c.company_name for c in response.context["page"].object_list]


def test_customers_list_with_invited_and_active(client_in, actor, now, other_subscription):
    make_customer(actor, now=now, name="Aktiv GmbH")
    make_customer(actor, now=now, name="Eingeladen AG", country="DE")
    invited = make_customer(actor, now=now, name="Neu GmbH")
    from partnerdesk.customers.services import customer_create

    customer_create(
        actor=actor,
        data={"company_name": "Wartet KG", "contact_email": "it@wartet.example", "country": "DE"},
        invite=True,
        now=now,
    )
    response = client_in.get("/console/customers/")
    html = response.content.decode()
    assert "Geheim Concurrent" not in html
    assert set(names(response)) == {"Aktiv GmbH", "Eingeladen AG", "Neu GmbH", "Wartet KG"}
    assert names(client_in.get("/console/customers/?status=invited")) == ["Wartet KG"]
    assert names(client_in.get("/console/customers/?q=neu")) == [invited.company_name]
    assert "Invitation to it@wartet.example sent" in html and "Resend invitation" in html


def test_resend_and_cancel_the_invitation(client_in, actor, now):
    from partnerdesk.customers.services import customer_create

    customer = customer_create(
        actor=actor,
        data={"company_name": "Wartet KG", "contact_email": "it@wartet.example", "country": "DE"},
        invite=True,
        now=now,
    )
    invitation = Invitation.objects.get(customer=customer)
    old_hash = invitation.token_hash
    base = f"/console/customers/{customer.public_id}/invitation/"
    response = client_in.post(base + "resend", follow=True)
    assert "was sent again" in response.content.decode()
    invitation.refresh_from_db()
    assert invitation.status == "pending" and invitation.token_hash != old_hash
    client_in.post(base + "cancel")
    invitation.refresh_from_db()
    assert invitation.status == "cancelled"
    again = client_in.post(base + "cancel", follow=True).content.decode()
    assert "Only a pending invitation can be cancelled." in again


def test_another_resellers_customer_cannot_be_edited_or_reinvited(client_in, other_subscription):
    customer = other_subscription.customer
    assert client_in.get(f"/console/customers/{customer.public_id}/edit").status_code == 404
    assert client_in.post(f"/console/customers/{customer.public_id}/edit", {"company_name": "X"}).status_code == 404
    assert client_in.post(f"/console/customers/{customer.public_id}/invitation/resend").status_code == 404
    customer.refresh_from_db()
    assert customer.company_name == "Geheim Concurrent B.V."


def test_edit_business_information(client_in, subscription):
    customer = subscription.customer
    url = f"/console/customers/{customer.public_id}/edit"
    assert 'value="Amstel Logistiek B.V."' in client_in.get(url).content.decode()
    data = {
        "company_name": "Amstel Logistiek Holding B.V.",
        "contact_name": "Sophie Bakker",
        "contact_email": "it@amstel.example",
        "domain": "amstel.example",
        "country": "NL",
        "vat_id": "NL004495445B01",
        "address": "Damrak 1\nAmsterdam",
        "language": "nl",
    }
    assert client_in.post(url, data).status_code == 302
    customer.refresh_from_db()
    assert (customer.company_name, customer.vat_id, customer.language) == (
        "Amstel Logistiek Holding B.V.",
        "NL004495445B01",
        "nl",
    )


def test_a_bad_vat_id_is_shown_at_its_field_and_nothing_changes(client_in, subscription):
    customer = subscription.customer
    url = f"/console/customers/{customer.public_id}/edit"
    data = {"company_name": "Renamed B.V.", "country": "NL", "vat_id": "NL123", "language": "en"}
    response = client_in.post(url, data)
    assert response.status_code == 422
    assert list(response.context["form"].errors) == ["vat_id"]
    assert 'value="Renamed B.V."' in response.content.decode()
    customer.refresh_from_db()
    assert customer.company_name == "Amstel Logistiek B.V."


def test_acting_on_filters_every_page_until_cleared(client_in, actor, annual_plan, now, other_subscription):
    a = make_subscription(actor, annual_plan, now=now, customer=make_customer(actor, now=now, name="Alpha GmbH"))
    make_subscription(actor, annual_plan, now=now, customer=make_customer(actor, now=now, name="Beta AG"))
    client_in.post("/console/acting-on", {"customer": a.customer.public_id, "next": "/console/customers/"})
    assert client_in.session["pd_acting_on"] == a.customer.public_id
    dashboard = client_in.get("/console/")
    assert [s.customer.company_name for s in dashboard.context["page"]] == ["Alpha GmbH"]
    assert "Acting on" in dashboard.content.decode()
    assert names(client_in.get("/console/customers/")) == ["Alpha GmbH"]
    new = client_in.get("/console/subscriptions/new").content.decode()
    assert f'<option value="{a.customer.public_id}" selected>' in new
    client_in.post("/console/acting-on", {"customer": ""})
    assert len(client_in.get("/console/").context["page"]) == 2


def test_acting_on_another_resellers_customer_is_refused(client_in, other_subscription):
    response = client_in.post("/console/acting-on", {"customer": other_subscription.customer.public_id}, follow=True)
    assert "pd_acting_on" not in client_in.session
    assert "That customer is not yours." in response.content.decode()


def test_new_customer_is_invited(client_in, reseller):
    data = {
        "contact_name": "Jan Jansen",
        "contact_email": "jan@molen.example",
        "domain": "molen.example",
        "company_name": "Molen B.V.",
        "country": "NL",
        "vat_id": "",
    }
    response = client_in.post("/console/customers/new", data, follow=True)
    assert "Molen B.V. was created; the invitation went to jan@molen.example." in response.content.decode()
    invitation = Invitation.objects.get(kind="customer_admin", email="jan@molen.example")
    assert invitation.customer.status == "invited" and invitation.customer.reseller == reseller
    assert names(client_in.get("/console/customers/?status=invited")) == ["Molen B.V."]


def test_new_customer_with_a_bad_domain_keeps_the_input(client_in):
    data = {"contact_name": "Jan", "contact_email": "jan@molen.example", "domain": "not a domain"}
    response = client_in.post("/console/customers/new", data | {"company_name": "Molen B.V.", "country": "NL"})
    assert response.status_code == 422 and list(response.context["form"].errors) == ["domain"]
    assert 'value="not a domain"' in response.content.decode()
    assert not Invitation.objects.exists()
