"""The database bumps a reseller's revision on every change to what it sees, in the changing
transaction, whoever writes (services, bulk updates, plain SQL); cached values follow.

Transactional tests: on PostgreSQL the bump runs at commit (a deferred trigger), and the
cache is not used inside a transaction."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection, transaction

from conftest import make_reseller
from partnerdesk.accounts.models import Reseller
from partnerdesk.core.actors import Actor, Tenant
from partnerdesk.customers.models import Customer
from partnerdesk.customers.services import customer_update
from partnerdesk.revisions.cache import cached
from partnerdesk.revisions.models import Revision
from partnerdesk.revisions.selectors import reseller_revision
from partnerdesk.subscriptions.models import Subscription
from partnerdesk.subscriptions.services import subscription_change_seats
from partnerdesk.subscriptions.tests.factories import make_subscription

pytestmark = pytest.mark.django_db(transaction=True)


def number(scope: str) -> int:
    return Revision.objects.filter(scope=scope).values_list("number", flat=True).first() or 0


@pytest.fixture
def sub(actor, annual_plan, now):
    return make_subscription(actor, annual_plan, now=now, seats=3)


def test_every_kind_of_write_bumps_the_resellers_revision(actor, reseller, sub, now):
    before = number(f"reseller:{reseller.pk}")
    assert before >= 1  # creating the customer and the subscription did

    subscription_change_seats(actor=actor, subscription=sub, seats=5, now=now)
    after_service = number(f"reseller:{reseller.pk}")
    assert after_service > before

    Subscription.objects.filter(pk=sub.pk).update(customer_can_manage=True)  # a bulk update
    after_bulk = number(f"reseller:{reseller.pk}")
    assert after_bulk > after_service

    with connection.cursor() as cursor:  # plain SQL, as a migration or an operator would
        cursor.execute("UPDATE customers_customer SET company_name = 'Neu GmbH' WHERE id = %s", [sub.customer_id])
    assert number(f"reseller:{reseller.pk}") > after_bulk


def test_other_resellers_and_the_catalog_have_their_own_numbers(actor, reseller, other_reseller, sub, annual_plan):
    other_before = number(f"reseller:{other_reseller.pk}")
    catalog_before = number("catalog")
    customer_update(actor=actor, customer=sub.customer, data={"company_name": "Umbenannt GmbH"})
    assert number(f"reseller:{other_reseller.pk}") == other_before
    assert number("catalog") == catalog_before

    annual_plan.price_per_seat = Decimal("130.00")
    annual_plan.save()
    assert number("catalog") > catalog_before


def test_a_rolled_back_change_bumps_nothing(actor, reseller, sub):
    before = number(f"reseller:{reseller.pk}")
    with pytest.raises(RuntimeError), transaction.atomic():
        Subscription.objects.filter(pk=sub.pk).update(seats=9)
        raise RuntimeError("rolled back")
    assert number(f"reseller:{reseller.pk}") == before


def test_a_vendors_own_customer_bumps_no_reseller(db):
    before = list(Revision.objects.order_by("scope").values_list("scope", "number"))
    Customer.objects.create(company_name="Direkt GmbH", country="DE", contact_email="it@direkt.example")
    assert list(Revision.objects.order_by("scope").values_list("scope", "number")) == before


def test_a_distributor_sees_its_sub_resellers_numbers(now, annual_plan):
    distributor, _ = make_reseller("Verteiler GmbH")
    sub_reseller, sub_user = make_reseller("Tochter GmbH", parent=distributor, email="owner@tochter.example")
    other, _ = make_reseller("Fremd GmbH", email="owner@fremd.example")
    before = reseller_revision(distributor.pk)

    make_subscription(Actor.reseller_user(sub_user, sub_reseller, "owner"), annual_plan, now=now)
    changed = reseller_revision(distributor.pk)
    assert changed != before

    # A sub-reseller moving away changes it too, even if nothing of the distributor's changed.
    Reseller.objects.filter(pk=sub_reseller.pk).update(parent=other)
    assert reseller_revision(distributor.pk) != changed
    assert f"reseller:{sub_reseller.pk}" in dict(reseller_revision(other.pk))


def test_cached_values_follow_the_data(actor, reseller, sub, now):
    calls = []

    def compute():
        calls.append(1)
        return Subscription.objects.get(pk=sub.pk).seats

    tenant = Tenant.for_reseller(reseller)
    assert cached(tenant, "seats", (), compute) == 3
    assert cached(tenant, "seats", (), compute) == 3
    assert len(calls) == 1  # the second came from the cache

    subscription_change_seats(actor=actor, subscription=sub, seats=4, now=now)
    assert cached(tenant, "seats", (), compute) == 4
    assert cached(tenant, "seats", ("other parts",), compute) == 4
    assert len(calls) == 3


def test_inside_a_transaction_nothing_is_cached(reseller, sub):
    tenant = Tenant.for_reseller(reseller)
    with transaction.atomic():
        Subscription.objects.filter(pk=sub.pk).update(seats=8)  # not committed: must not be kept
        assert cached(tenant, "seats", (), lambda: Subscription.objects.get(pk=sub.pk).seats) == 8
        transaction.set_rollback(True)
    assert cached(tenant, "seats", (), lambda: Subscription.objects.get(pk=sub.pk).seats) == 3


def test_the_vendor_is_never_cached(vendor_actor):
    values = iter([1, 2])
    assert cached(vendor_actor.tenant, "all", (), lambda: next(values)) == 1
    assert cached(vendor_actor.tenant, "all", (), lambda: next(values)) == 2


def test_a_seat_ledger_entry_bumps_its_subscriptions_reseller(reseller, sub, now):
    from partnerdesk.subscriptions.models import SeatLedgerEntry

    before = number(f"reseller:{reseller.pk}")
    entry = SeatLedgerEntry.objects.filter(subscription=sub).first()
    entry.pk = None  # a second entry, written alone (no change to the subscription row)
    entry.save()
    assert number(f"reseller:{reseller.pk}") > before
