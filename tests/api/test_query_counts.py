"""Every list endpoint runs the same number of queries for 1 row and for 50 (no N+1)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from partnerdesk.accounts.services import apikey_create
from partnerdesk.catalog.models import Plan, Product
from partnerdesk.core.actors import Actor
from partnerdesk.customers.tests.factories import make_customer
from partnerdesk.subscriptions import services
from partnerdesk.subscriptions.tests.factories import make_subscription
from partnerdesk.webhooks.services import webhook_endpoint_create


def queries(client, key: str, path: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(f"/api/v1{path}", headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 200, response.content
    return len(captured)


def grow(actor, plan, now, sub, n: int) -> None:
    for i in range(n):
        customer = make_customer(actor, now=now, name=f"Firma{i} GmbH", country="DE")
        make_subscription(actor, plan, now=now, customer=customer, seats=2)
        services.member_add(actor=actor, subscription=sub, email=f"m{i}@x.example", now=now)
        services.admin_add(actor=actor, subscription=sub, email=f"a{i}@x.example", now=now)
        product = Product.objects.create(code=f"p{i}", name=f"P{i}")
        Plan.objects.create(product=product, code=f"p{i}-m", name="M", term_months=1, price_per_seat="1.00")


@pytest.mark.django_db
def test_list_endpoints_do_not_grow_with_rows(client, actor, annual_plan, now, vendor):
    sub = make_subscription(actor, annual_plan, now=now, seats=60)
    services.member_add(actor=actor, subscription=sub, email="first@x.example", now=now)
    key = apikey_create(actor=Actor.system(), reseller=actor.reseller).secret
    paths = [
        "/products",
        "/customers?limit=100",
        "/subscriptions?limit=100",
        f"/subscriptions/{sub.public_id}/members?limit=100",
        f"/subscriptions/{sub.public_id}/admins?limit=100",
    ]
    queries(client, key, "/products")  # warm: the first request may update last_used_at
    small = {path: queries(client, key, path) for path in paths}
    grow(actor, annual_plan, now, sub, 49)
    for n in range(1, 15):  # at most 16 endpoints per reseller
        webhook_endpoint_create(actor=actor, url=f"https://hooks.example.com/{n}", events=["*"], now=now)
    large = {path: queries(client, key, path) for path in paths}
    assert large == small


@pytest.mark.django_db
def test_the_subscription_list_is_two_queries_the_key_and_the_page(client, actor, annual_plan, now, vendor):
    """No session lookup, no count, no last-use write within the minute, no per-row reads.
    (Outside a transaction, with the views cache, it is the key alone: accounts/tests/test_signed_in.py.)"""
    for _ in range(3):
        make_subscription(actor, annual_plan, now=now, seats=2)
    key = apikey_create(actor=Actor.system(), reseller=actor.reseller).secret
    queries(client, key, "/subscriptions")  # the first use records last_used_at
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/api/v1/subscriptions", headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 200 and len(response.json()["data"]) == 3
    # The outermost FROM of each: the key's statement reads the revision numbers in a subquery.
    tables = [q["sql"].rsplit(" FROM ", 1)[1].split()[0].strip('"') for q in captured]
    assert tables == ["accounts_apikey", "subscriptions_subscription"], [q["sql"] for q in captured]
