"""Search and filters of the lists resellers use most can read through indexes (EXPLAIN).

On PostgreSQL every plan is checked, including the substring search (trigram indexes);
SQLite cannot index a substring search, so there only the filters are checked.
"""

from __future__ import annotations

import pytest
from django.db import connection

from bench.seed import BENCH_RESELLER, seed
from partnerdesk.accounts.models import Reseller
from partnerdesk.core.actors import Tenant
from partnerdesk.customers.models import Customer
from partnerdesk.customers.selectors import customer_list
from partnerdesk.subscriptions.schemas import SUBSCRIPTION_COLUMNS
from partnerdesk.subscriptions.selectors import subscription_list
from partnerdesk.subscriptions.tests.factories import make_subscription


def plan_of(qs) -> str:
    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # On a test-sized table a sequential scan is cheaper and the planner rightly
            # prefers it; disabling it asks whether an index *can* serve the query.
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("EXPLAIN " + sql, params)
        else:
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        return "\n".join(" ".join(str(part) for part in row) for row in cursor.fetchall())


@pytest.fixture
def big_neighbour_and_small_reseller(actor, annual_plan, now):
    seed(customers=4000, members=0)  # another reseller with many rows
    for _ in range(5):
        make_subscription(actor, annual_plan, now=now, seats=2)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return Tenant.for_reseller(actor.reseller)


@pytest.mark.django_db
def test_filters_use_indexes(big_neighbour_and_small_reseller):
    tenant = big_neighbour_and_small_reseller
    for qs in (
        subscription_list(tenant)[:21],
        subscription_list(tenant, archived=None)[:21],  # the API's default: live and archived
        subscription_list(tenant, status="active")[:21],
        subscription_list(tenant, archived=True)[:21],
        customer_list(tenant)[:21],
    ):
        plan = plan_of(qs)
        if connection.vendor == "postgresql":
            assert "Seq Scan on subscriptions_subscription" not in plan, plan
            assert "Seq Scan on customers_customer" not in plan, plan
        else:
            assert "SCAN subscriptions_subscription" not in plan.replace("USING", "\n"), plan
            assert "SCAN customers_customer" not in plan.replace("USING", "\n"), plan


@pytest.mark.django_db
def test_the_api_list_reads_its_page_from_the_newest_first_index(big_neighbour_and_small_reseller):
    """GET /api/v1/subscriptions (live and archived, newest first) for a reseller with thousands
    of subscriptions: the first page is read in index order and stops after 21 rows, never
    sorting all of them (for a handful of rows a sort is cheaper, and the planner rightly sorts)."""
    tenant = Tenant.for_reseller(Reseller.objects.get(name=BENCH_RESELLER))
    qs = subscription_list(tenant, archived=None).values(*SUBSCRIPTION_COLUMNS).order_by("-created_at", "-pk")
    plan = plan_of(qs[:21])
    assert "sub_reseller_all_newest" in plan, plan
    if connection.vendor == "postgresql":
        assert "Sort" not in plan, plan
    else:
        assert "TEMP B-TREE FOR ORDER BY" not in plan, plan


@pytest.mark.django_db
@pytest.mark.parametrize("column", ["company_name", "contact_email", "domain"])
def test_the_search_expression_matches_a_trigram_index_on_postgresql(big_neighbour_and_small_reseller, column):
    """The substring search Django generates (UPPER(col) LIKE UPPER('%…%')) is exactly
    what the trigram indexes cover, so the planner can use them once a table is large
    enough for that to pay off."""
    qs = Customer.objects.filter(**{f"{column}__icontains": "Kunde 1234"}).only("id")
    plan = plan_of(qs)
    if connection.vendor == "postgresql":
        assert f"customer_{column}_trgm" in plan, plan
    else:
        assert "customers_customer" in plan  # SQLite scans: fine for single-machine installations


@pytest.mark.django_db
def test_the_session_statement_reads_through_keys_and_indexes(reseller_and_user):
    """The statement every console request starts with (accounts.selectors.session_read) finds
    the session by its key and the user, memberships, resellers and revision numbers by their
    keys and indexes, however many sessions, resellers and revision numbers there are."""
    from datetime import timedelta

    from django.test import Client
    from django.utils import timezone

    from partnerdesk.accounts.models import Session
    from partnerdesk.accounts.selectors import _session_sql
    from partnerdesk.core import rows
    from partnerdesk.revisions.models import Revision

    client = Client()
    client.force_login(reseller_and_user[1])
    expires = timezone.now() + timedelta(days=1)
    Session.objects.bulk_create(
        Session(session_key=f"other{n:027d}", session_data="", expire_date=expires) for n in range(2000)
    )
    Revision.objects.bulk_create(Revision(scope=f"reseller:{10**6 + n}", number=1) for n in range(2000))
    params = [client.session.session_key, rows.datetime_param(timezone.now())]
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
        if connection.vendor == "postgresql":
            cursor.execute("EXPLAIN " + _session_sql(), params)
        else:
            cursor.execute("EXPLAIN QUERY PLAN " + _session_sql(), params)
        plan = "\n".join(" ".join(str(part) for part in row) for row in cursor.fetchall())
    for table in ("accounts_session", "revisions_revision"):
        if connection.vendor == "postgresql":
            assert f"Seq Scan on {table}" not in plan, plan
        else:
            alias = {"accounts_session": "s", "revisions_revision": "v"}[table]
            assert f"SCAN {alias}\n" not in plan + "\n" and f"SCAN {alias} " not in plan, plan
