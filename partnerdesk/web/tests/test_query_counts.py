"""Every console and portal list page runs the same number of queries for 1 row and for
50 (no N+1). The API's list endpoints have the same test in tests/api/test_query_counts.py."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from partnerdesk.accounts.models import ResellerMembership
from partnerdesk.accounts.services import apikey_create
from partnerdesk.customers.models import CustomerMembership
from partnerdesk.customers.tests.factories import make_customer
from partnerdesk.invitations.services import team_invite
from partnerdesk.subscriptions import services
from partnerdesk.subscriptions.models import Status, Subscription
from partnerdesk.subscriptions.tests.factories import make_subscription
from partnerdesk.webhooks.services import webhook_endpoint_create

pytestmark = pytest.mark.django_db


def queries(client: Client, path: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return len(captured)


def add_rows(actor, plan, now, portal_sub, django_user_model, start: int, stop: int) -> None:
    """Rows for every list: a customer with a live and an archived subscription (and their
    invoices), a portal subscription, a portal member, a team member, an invitation, an API key."""
    for i in range(start, stop):
        customer = make_customer(actor, now=now, name=f"Firma{i} GmbH", country="DE")
        make_subscription(actor, plan, now=now, customer=customer, seats=2)
        archived = make_subscription(actor, plan, now=now, customer=customer, seats=1)
        Subscription.objects.filter(pk=archived.pk).update(
            status=Status.CANCELLED, cancelled_at=now, ended_at=now, archived=True
        )
        make_subscription(actor, plan, now=now, customer=portal_sub.customer, seats=1, customer_can_manage=True)
        services.member_add(actor=actor, subscription=portal_sub, email=f"m{i}@kunde.example", now=now)
        user = django_user_model.objects.create_user(email=f"team{i}@isar.example", password="x")
        ResellerMembership.objects.create(user=user, reseller=actor.reseller, role="viewer")
        team_invite(actor=actor, email=f"neu{i}@isar.example", role="billing", now=now)
        apikey_create(actor=actor, reseller=actor.reseller, name=f"key {i}", now=now)


def test_list_pages_do_not_grow_with_rows(
    vendor, client_in, actor, annual_plan, now, django_user_model, other_subscription
):
    portal_sub = make_subscription(actor, annual_plan, now=now, seats=60, customer_can_manage=True)
    portal = Client()
    admin = django_user_model.objects.create_user(email=portal_sub.customer.contact_email, password="x")
    CustomerMembership.objects.create(user=admin, customer=portal_sub.customer)
    portal.force_login(admin)
    webhook_endpoint_create(actor=actor, url="https://hooks.example.com/0", events=["*"], now=now)
    console_pages = [
        "/console/",
        "/console/customers/",
        "/console/subscriptions/archived",
        "/console/invoices/",
        "/console/team",
        "/console/api-keys",
        "/console/webhooks",
    ]
    portal_pages = ["/portal/", f"/portal/subscriptions/{portal_sub.public_id}/"]

    def count() -> dict[str, int]:
        return {
            **{page: queries(client_in, page) for page in console_pages},
            **{page: queries(portal, page) for page in portal_pages},
        }

    add_rows(actor, annual_plan, now, portal_sub, django_user_model, 0, 1)
    count()  # warm: a first visit may store a session or a language
    small = count()
    add_rows(actor, annual_plan, now, portal_sub, django_user_model, 1, 50)
    for n in range(1, 15):  # at most 16 endpoints per reseller
        webhook_endpoint_create(actor=actor, url=f"https://hooks.example.com/{n}", events=["*"], now=now)
    assert count() == small
