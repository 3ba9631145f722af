"""``customer.invitation_accepted``: recorded in the acceptance's transaction, for the
reseller managing the customer only; a refused acceptance records nothing."""

from datetime import timedelta

import pytest

from partnerdesk.core.actors import Tenant
from partnerdesk.core.errors import DomainError
from partnerdesk.customers.tests.factories import make_customer
from partnerdesk.invitations import services
from partnerdesk.invitations.tests.factories import token_sent_to
from partnerdesk.webhooks.models import Event
from partnerdesk.webhooks.selectors import event_list

PASSWORD = "correct horse battery staple"


def test_accepting_the_customer_admin_invitation_records_the_event(actor, other_actor, now):
    customer = make_customer(actor, now=now, name="Amstel Logistiek B.V.", invite=True)
    later = now + timedelta(hours=3)
    services.invitation_accept(
        token=token_sent_to("it@amstel.example"), name="Sophie Bakker", password=PASSWORD, now=later
    )
    [event] = Event.objects.filter(type="customer.invitation_accepted")
    assert (event.reseller_id, event.customer_id, event.created_at) == (actor.reseller.pk, customer.pk, later)
    assert (event.data["id"], event.data["status"], event.data["accepted_by"], event.data["accepted_at"]) == (
        customer.public_id,
        "active",
        "it@amstel.example",
        "2026-03-10T12:30:00Z",
    )
    theirs = event_list(Tenant.for_reseller(other_actor.reseller)).values_list("type", flat=True)
    assert "customer.invitation_accepted" not in theirs


def test_a_refused_acceptance_records_no_event(actor, now):
    make_customer(actor, now=now, name="Amstel Logistiek B.V.", invite=True)
    token = token_sent_to("it@amstel.example")
    with pytest.raises(DomainError):
        services.invitation_accept(token=token, name="Sophie", password=PASSWORD, now=now + timedelta(days=30))
    assert not Event.objects.filter(type="customer.invitation_accepted").exists()
