"""Seed 003 (Rainbow) and the customer invitation endpoints, through HTTP."""

from __future__ import annotations

import pytest

from partnerdesk.accounts.models import User
from partnerdesk.core.actors import Actor
from partnerdesk.customers.models import Customer, CustomerMembership
from partnerdesk.invitations.models import Invitation
from partnerdesk.invitations.services import relationship_request_create
from tests.api.conftest import assert_error

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def company_admin(db):
    company = Customer.objects.create(
        company_name="Saale Telefonie GmbH", country="DE", contact_email="it@saale.example"
    )
    user = User.objects.create_user(email="it@saale.example", password="pw")
    CustomerMembership.objects.create(user=user, customer=company)
    return Actor.customer_user(user, company)


def test_rainbow_story_company_asks_reseller_accepts_then_subscribes(
    api, other_api, company_admin, reseller, annual_plan
):
    request = relationship_request_create(actor=company_admin, reseller=reseller)
    listed = api.get("/relationship-requests").json()["data"]
    assert [(r["id"], r["requester"]["type"], r["requester"]["name"], r["status"]) for r in listed] == [
        (request.public_id, "customer", "Saale Telefonie GmbH", "pending")
    ]
    assert other_api.get("/relationship-requests").json()["data"] == []
    assert_error(other_api.post(f"/relationship-requests/{request.public_id}/accept"), 404, "not_found")

    accepted = api.post(f"/relationship-requests/{request.public_id}/accept")
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"
    customer_id = company_admin.tenant.customer.public_id
    assert api.get(f"/customers/{customer_id}").json()["reseller"] == reseller.public_id
    sub = api.post("/subscriptions", json={"customer": customer_id, "plan": annual_plan.code, "seats": 10})
    assert sub.status_code == 201, sub.text
    assert_error(api.post(f"/relationship-requests/{request.public_id}/decline"), 409, "conflict")


def test_decline(api, company_admin, reseller):
    request = relationship_request_create(actor=company_admin, reseller=reseller)
    assert api.post(f"/relationship-requests/{request.public_id}/decline").json()["status"] == "declined"
    assert Customer.objects.get(pk=company_admin.tenant.customer.pk).reseller is None


def test_customer_invitation_resend_and_cancel(api, other_api, smtp_server):
    customer = api.post(
        "/customers",
        json={
            "company_name": "Weser Praxis GmbH",
            "country": "DE",
            "contact_email": "chef@weser.example",
            "invite": True,
        },
    ).json()
    first = Invitation.objects.get(customer__public_id=customer["id"])
    assert_error(other_api.post(f"/customers/{customer['id']}/invitation/resend"), 404, "not_found")
    resent = api.post(f"/customers/{customer['id']}/invitation/resend")
    assert resent.status_code == 200 and resent.json()["status"] == "pending"
    assert Invitation.objects.get(pk=first.pk).token_hash != first.token_hash  # the old link stops working
    cancelled = api.post(f"/customers/{customer['id']}/invitation/cancel")
    assert cancelled.json()["status"] == "cancelled"
    assert_error(api.post(f"/customers/{customer['id']}/invitation/cancel"), 409, "conflict")
