"""The customer portal: a customer admin sees their subscriptions, never prices."""

from __future__ import annotations

import pytest

from partnerdesk.customers.models import CustomerMembership
from partnerdesk.invitations.models import Invitation
from partnerdesk.subscriptions.tests.factories import make_subscription

pytestmark = pytest.mark.django_db


@pytest.fixture
def portal(client, actor, annual_plan, now, django_user_model):
    """A customer admin of a subscription the reseller lets the customer manage, signed in."""
    sub = make_subscription(actor, annual_plan, now=now, seats=2, customer_can_manage=True)
    user = django_user_model.objects.create_user(email=sub.customer.contact_email, password="x")
    CustomerMembership.objects.create(user=user, customer=sub.customer)
    client.force_login(user)
    return client, sub


def test_portal_lists_subscriptions_without_prices_and_shows_the_partner(portal, other_subscription):
    client, sub = portal
    assert client.get("/").url == "/portal/"
    html = client.get("/portal/").content.decode()
    assert "AxCrypt Business" in html and "0/2" in html
    assert "Your partner" in html and "Isar Systemhaus GmbH" in html and "mailto:owner@isar.example" in html
    assert "€" not in html and "120" not in html
    assert "Geheim" not in html
    detail = client.get(f"/portal/subscriptions/{sub.public_id}/").content.decode()
    assert "€" not in detail and "Order now" not in detail and "Cancel subscription" not in detail


def test_customer_admin_adds_and_removes_members_where_allowed(portal):
    client, sub = portal
    base = f"/portal/subscriptions/{sub.public_id}/"
    assert client.post(base + "members", {"email": "a@kunde.example"}).status_code == 302
    assert client.post(base + "members", {"email": "b@kunde.example"}).status_code == 302
    refused = client.post(base + "members", {"email": "c@kunde.example"})
    assert refused.status_code == 422 and "No free seat" in refused.content.decode()
    member = sub.members.get(email="a@kunde.example")
    client.post(base + f"members/{member.public_id}/remove")
    sub.refresh_from_db()
    assert sub.assigned == 1


def test_customer_admin_cannot_grant_purchase_rights(portal):
    client, sub = portal
    base = f"/portal/subscriptions/{sub.public_id}/"
    page = client.get(base).content.decode()
    assert "May buy licenses" not in page  # only the reseller sees that choice
    client.post(base + "admins", {"email": "chef@kunde.example", "can_purchase": "on", "confirm_purchase": "on"})
    assert not sub.admins.filter(email="chef@kunde.example").exists()
    client.post(base + "admins", {"email": "chef@kunde.example"})
    assert sub.admins.get(email="chef@kunde.example").can_purchase is False


def test_where_the_reseller_manages_the_customer_only_looks(portal, actor, annual_plan, now):
    client, sub = portal
    managed = make_subscription(actor, annual_plan, now=now, seats=2, customer=sub.customer)
    base = f"/portal/subscriptions/{managed.public_id}/"
    html = client.get(base).content.decode()
    assert "Your partner manages this subscription." in html and "Add member" not in html
    response = client.post(base + "members", {"email": "x@kunde.example"})
    assert response.status_code == 422 and "Your reseller manages this subscription." in response.content.decode()
    assert not managed.members.exists()


def test_portal_user_cannot_reach_the_reseller_console_or_other_customers(portal, other_subscription):
    client, _ = portal
    assert client.get("/console/").url == "/portal/"
    assert client.get(f"/portal/subscriptions/{other_subscription.public_id}/").status_code == 404
    assert (
        client.post(
            f"/portal/subscriptions/{other_subscription.public_id}/members", {"email": "x@y.example"}
        ).status_code
        == 404
    )


def test_someone_without_a_team_or_company_sees_why(client, django_user_model, db):
    client.force_login(django_user_model.objects.create_user(email="nobody@example.org", password="x"))
    response = client.get("/console/")
    assert response.status_code == 403 and "invitation" in response.content.decode()


def test_signed_out_visitors_go_to_the_login_page(client, db):
    assert client.get("/console/").url.startswith("/accounts/login/?next=/console/")
    assert client.get("/portal/").url.startswith("/accounts/login/?next=/portal/")


@pytest.fixture
def company(client, django_user_model, now, reseller):
    """A company without a reseller yet, its admin signed in to the portal."""
    from partnerdesk.customers.models import Customer

    customer = Customer.objects.create(company_name="Zelf B.V.", country="NL", reseller=None, created_at=now)
    admin = django_user_model.objects.create_user(email="it@zelf.example", password="x")
    CustomerMembership.objects.create(user=admin, customer=customer)
    client.force_login(admin)
    return client, customer


def test_the_company_asks_a_reseller_resends_and_cancels(company, other_reseller):
    client, customer = company
    page = client.get("/portal/").content.decode()
    assert "No partner manages your company yet." in page
    assert '<option value="Polder IT B.V.">' in page  # the names to pick from (seed 003)
    response = client.post("/portal/partner-request", {"reseller": "polder"}, follow=True)
    assert "Your request was sent to Polder IT B.V." in response.content.decode()
    request = Invitation.objects.get(kind="relationship_request", customer=customer)
    assert (request.reseller, request.status) == (other_reseller, "pending")
    client.post(f"/portal/partner-request/{request.public_id}/cancel")
    request.refresh_from_db()
    assert request.status == "cancelled"


def test_an_unknown_reseller_is_refused_at_the_field(company):
    client, _ = company
    response = client.post("/portal/partner-request", {"reseller": "Nobody GmbH"})
    assert response.status_code == 422
    assert list(response.context["partner_form"].errors) == ["reseller"]
    assert 'value="Nobody GmbH"' in response.content.decode()
    assert not Invitation.objects.filter(kind="relationship_request").exists()


def test_the_reseller_accepts_a_companys_request(company, other_reseller_and_user, reseller):
    client, customer = company
    other_reseller, other_owner = other_reseller_and_user
    client.post("/portal/partner-request", {"reseller": "Polder IT B.V."})
    request = Invitation.objects.get(kind="relationship_request")
    admin = client.session["_auth_user_id"]
    client.force_login(other_owner)
    page = client.get("/console/customers/").content.decode()
    assert "Zelf B.V." in page and "asks you to manage their company" in page
    client.post(f"/console/requests/{request.public_id}/accept")
    customer.refresh_from_db()
    assert customer.reseller == other_reseller
    client.force_login(customer.memberships.get(user_id=admin).user)
    assert "Polder IT B.V." in client.get("/portal/").content.decode()


def test_another_reseller_cannot_answer_the_request(company, other_reseller, reseller_and_user):
    client, _ = company
    client.post("/portal/partner-request", {"reseller": "Polder IT B.V."})
    request = Invitation.objects.get(kind="relationship_request")
    client.force_login(reseller_and_user[1])
    assert client.post(f"/console/requests/{request.public_id}/accept").status_code == 404
    request.refresh_from_db()
    assert request.status == "pending"


def test_an_admin_with_purchase_rights_buys_at_list_price(client, actor, annual_plan, now, frozen, django_user_model):
    from partnerdesk.billing.models import Invoice
    from partnerdesk.subscriptions.services import admin_add

    sub = make_subscription(actor, annual_plan, now=now, seats=2, customer_can_manage=True)
    admin_add(actor=actor, subscription=sub, email="chef@kunde.example", can_purchase=True, now=now)
    user = django_user_model.objects.create_user(email="chef@kunde.example", password="x")
    CustomerMembership.objects.create(user=user, customer=sub.customer)
    client.force_login(user)
    base = f"/portal/subscriptions/{sub.public_id}/"
    assert "billed to your company at list price" in client.get(base).content.decode()
    html = client.get(base + "seats/quote", {"seats": "2", "step": "+1"}).content.decode()
    # 1 extra x 12 months x 10.00 = 120.00, no reseller discount, DE VAT 19 % = 22.80
    assert "€142.80" in html and "discount" not in html.split('id="quote"')[1].split("</div>")[0]
    assert "Billed to your company at list price." in html
    client.post(base + "seats", {"seats": "3"})
    sub.refresh_from_db()
    assert sub.seats == 3
    invoice = Invoice.objects.filter(subscription=sub).order_by("-id").first()
    assert (invoice.billed_customer, str(invoice.total)) == (sub.customer, "142.80")


def test_an_admin_without_purchase_rights_sees_no_licenses_form(portal):
    client, sub = portal
    assert "Order now" not in client.get(f"/portal/subscriptions/{sub.public_id}/seats/quote?seats=3").content.decode()
    response = client.post(f"/portal/subscriptions/{sub.public_id}/seats", {"seats": "3"})
    assert response.status_code == 422 and "you have no purchase rights" in response.content.decode()
    sub.refresh_from_db()
    assert sub.seats == 2
