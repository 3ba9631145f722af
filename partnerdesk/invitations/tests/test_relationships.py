"""Seed 003: a company asks a reseller to manage it; a reseller asks to join a distributor."""

from datetime import timedelta

import pytest

from conftest import make_reseller
from partnerdesk.accounts.models import Reseller
from partnerdesk.core.actors import Actor
from partnerdesk.core.errors import DomainError
from partnerdesk.customers import services as customers
from partnerdesk.customers.models import Customer
from partnerdesk.customers.selectors import customer_list, customers_visible
from partnerdesk.customers.tests.factories import make_customer
from partnerdesk.invitations import selectors, services
from partnerdesk.invitations.models import Invitation
from partnerdesk.invitations.tests.factories import token_sent_to
from partnerdesk.notifications.models import OutboxEmail
from partnerdesk.subscriptions.tests.factories import make_subscription


def refused(code: str, call, *args, **kwargs) -> DomainError:
    with pytest.raises(DomainError) as error:
        call(*args, **kwargs)
    assert error.value.code == code, error.value
    return error.value


@pytest.fixture
def company(actor, now):
    """A company (first managed by Isar) and its admin, signed in to the customer portal."""
    customer = make_customer(actor, now=now, name="Amstel Logistiek B.V.", invite=True)
    _, user = services.invitation_accept(
        token=token_sent_to("it@amstel.example"), name="Sophie", password="correct horse battery", now=now
    )
    customer.refresh_from_db()
    return Actor.customer_user(user, customer)


def test_customers_search_resellers_by_name(reseller, other_reseller):
    assert [r.name for r in selectors.resellers_search("polder")] == ["Polder IT B.V."]
    assert [r.name for r in selectors.resellers_search("  IT ")] == ["Polder IT B.V."]
    assert selectors.resellers_search("p") == []
    Reseller.objects.filter(pk=other_reseller.pk).update(status="suspended")
    assert selectors.resellers_search("polder") == []


def test_a_company_asks_a_reseller_who_accepts_and_then_manages_it(company, actor, other_actor, other_reseller, now):
    request = services.relationship_request_create(actor=company, reseller=other_reseller, now=now)
    email = OutboxEmail.objects.get(template="relationship_request")
    assert (email.to, email.subject) == (
        "owner@polder.example",
        "Amstel Logistiek B.V. asks you to manage its subscriptions",
    )
    assert list(selectors.relationship_requests_received(other_actor.tenant)) == [request]
    assert list(selectors.relationship_requests_received(actor.tenant)) == []

    services.relationship_request_respond(actor=other_actor, invitation=request, accept=True, now=now)
    customer = Customer.objects.get(pk=company.tenant.customer.pk)
    assert customer.reseller == other_reseller
    assert list(customers_visible(other_actor.tenant)) == [customer]
    assert list(customers_visible(actor.tenant)) == []
    assert selectors.partner_of(customer) == {
        "name": "Polder IT B.V.",
        "country": "NL",
        "contact_email": "owner@polder.example",
    }


def test_declining_changes_nothing_for_the_company(company, actor, other_actor, other_reseller, now):
    request = services.relationship_request_create(actor=company, reseller=other_reseller, now=now)
    services.relationship_request_respond(actor=other_actor, invitation=request, accept=False, now=now)
    assert Invitation.objects.get(pk=request.pk).status == "declined"
    assert Customer.objects.get(pk=company.tenant.customer.pk).reseller == actor.reseller
    refused("conflict", services.relationship_request_respond, actor=other_actor, invitation=request, accept=True)


def test_resend_at_most_once_an_hour_and_cancel(company, other_actor, other_reseller, now):
    request = services.relationship_request_create(actor=company, reseller=other_reseller, now=now)
    error = refused(
        "rate_limited", services.invitation_resend, actor=company, invitation=request, now=now + timedelta(minutes=59)
    )
    assert error.message == "A request can be resent once an hour."
    services.invitation_resend(actor=company, invitation=request, now=now + timedelta(hours=1))
    assert OutboxEmail.objects.filter(template="relationship_request").count() == 2
    refused("rate_limited", services.invitation_resend, actor=company, invitation=request, now=now + timedelta(hours=1))

    services.invitation_cancel(actor=company, invitation=request, now=now + timedelta(hours=2))
    refused("conflict", services.relationship_request_respond, actor=other_actor, invitation=request, accept=True)
    assert Customer.objects.get(pk=company.tenant.customer.pk).reseller != other_reseller


def test_only_the_asked_reseller_answers_and_only_the_company_resends(company, actor, other_reseller, now):
    request = services.relationship_request_create(actor=company, reseller=other_reseller, now=now)
    refused("not_found", services.relationship_request_respond, actor=actor, invitation=request, accept=True)
    third, owner = make_reseller("Maas Digital B.V.", country="NL")
    outsider = Actor.reseller_user(owner, third, "owner")
    refused("not_found", services.invitation_resend, actor=outsider, invitation=request, now=now + timedelta(hours=2))
    refused("not_found", services.invitation_cancel, actor=outsider, invitation=request)
    assert Invitation.objects.get(pk=request.pk).status == "pending"


def test_a_company_with_live_subscriptions_elsewhere_cannot_switch(company, actor, annual_plan, other_reseller, now):
    make_subscription(actor, annual_plan, now=now, customer=company.tenant.customer)
    before = Invitation.objects.count()
    refused("conflict", services.relationship_request_create, actor=company, reseller=other_reseller, now=now)
    assert Invitation.objects.count() == before


def test_a_reseller_becomes_a_sub_reseller_and_the_distributor_sees_its_customers_read_only(
    actor, other_actor, reseller, other_reseller, now
):
    customer = make_customer(actor, now=now, name="Amstel Logistiek B.V.")
    request = services.sub_reseller_request_create(actor=actor, distributor=other_reseller, now=now)
    assert OutboxEmail.objects.get(template="relationship_request").subject == (
        "Isar Systemhaus GmbH asks to become your sub-reseller"
    )
    services.relationship_request_respond(actor=other_actor, invitation=request, accept=True, now=now)
    assert Reseller.objects.get(pk=reseller.pk).parent == other_reseller

    assert list(customer_list(other_actor.tenant, include_sub_resellers=True)) == [customer]
    assert list(customer_list(other_actor.tenant)) == []
    refused(
        "permission_denied", customers.customer_update, actor=other_actor, customer=customer, data={"domain": "x.nl"}
    )

    # Two tiers at most: the new sub-reseller cannot take sub-resellers of its own.
    third, owner = make_reseller("Maas Digital B.V.", country="NL")
    refused(
        "conflict",
        services.sub_reseller_request_create,
        actor=Actor.reseller_user(owner, third, "owner"),
        distributor=Reseller.objects.get(pk=reseller.pk),
        now=now,
    )
