import pytest

from partnerdesk.core.actors import Tenant
from partnerdesk.core.errors import DomainError
from partnerdesk.customers import selectors as customer_selectors
from partnerdesk.subscriptions import selectors, services
from partnerdesk.subscriptions.tests.factories import make_subscription


@pytest.fixture
def two_tenants(actor, other_actor, annual_plan, trial_plan, now):
    mine = [make_subscription(actor, annual_plan, now=now), make_subscription(actor, trial_plan, now=now)]
    theirs = [make_subscription(other_actor, annual_plan, now=now)]
    services.member_add(actor=other_actor, subscription=theirs[0], email="x@theirs.example", now=now)
    return mine, theirs


def test_lists_never_show_another_tenants_rows(actor, other_actor, two_tenants):
    mine, theirs = two_tenants
    tenant = actor.tenant
    assert set(selectors.subscription_list(tenant)) == set(mine)
    assert set(selectors.subscription_list(other_actor.tenant)) == set(theirs)
    assert {c.pk for c in customer_selectors.customer_list(tenant)} == {s.customer_id for s in mine}
    # Filters cannot widen the scope either.
    assert not selectors.subscription_list(tenant, customer_id=theirs[0].customer.public_id).exists()
    assert not selectors.subscription_list(tenant, search=theirs[0].public_id).exists()


def test_gets_of_another_tenants_ids_are_not_found(actor, two_tenants):
    _, theirs = two_tenants
    with pytest.raises(DomainError) as error:
        selectors.subscription_get(actor.tenant, theirs[0].public_id)
    assert error.value.code == "not_found"
    with pytest.raises(DomainError):
        customer_selectors.customer_get(actor.tenant, theirs[0].customer.public_id)


def test_members_and_admins_are_read_through_their_subscription(actor, two_tenants):
    mine, theirs = two_tenants
    member = theirs[0].members.get()
    with pytest.raises(DomainError):
        selectors.member_get(mine[0], member.public_id)
    assert list(selectors.member_list(mine[0])) == []


def test_filters(actor, two_tenants, now):
    mine, _ = two_tenants
    services.subscription_cancel(actor=actor, subscription=mine[1], now=now)
    assert list(selectors.subscription_list(actor.tenant)) == [mine[0]]
    assert list(selectors.subscription_list(actor.tenant, archived=True)) == [mine[1]]
    assert list(selectors.subscription_list(actor.tenant, status="active")) == [mine[0]]
    assert list(selectors.subscription_list(actor.tenant, product_code="signatures-m365", archived=None)) == [mine[1]]


def test_distributor_sees_sub_resellers_only_when_asked(db, annual_plan, now):
    from conftest import make_reseller
    from partnerdesk.core.actors import Actor

    distributor, d_user = make_reseller("Nordwind Distribution GmbH")
    sub_reseller, s_user = make_reseller("Polder IT B.V.", parent=distributor)
    sub = make_subscription(Actor.reseller_user(s_user, sub_reseller, "owner"), annual_plan, now=now)
    tenant = Tenant.for_reseller(distributor)
    assert list(selectors.subscription_list(tenant)) == []
    assert list(selectors.subscription_list(tenant, include_sub_resellers=True)) == [sub]
    # And the other way round: a sub-reseller never sees its distributor's customers.
    assert list(selectors.subscription_list(Tenant.for_reseller(sub_reseller), include_sub_resellers=True)) == [sub]
    # Read-only: the distributor cannot change it.
    with pytest.raises(DomainError) as error:
        services.subscription_cancel(actor=Actor.reseller_user(d_user, distributor, "owner"), subscription=sub, now=now)
    assert error.value.code == "not_found"


def test_vendor_and_customer_tenants(actor, other_actor, two_tenants):
    mine, theirs = two_tenants
    assert set(selectors.subscription_list(Tenant.for_vendor())) == {*mine, *theirs}
    portal = Tenant.for_customer(mine[0].customer)
    assert list(selectors.subscription_list(portal)) == [mine[0]]


def _columns(obj) -> dict:
    """Every column's value and its Python type, as the instance holds them."""
    return {f.attname: (getattr(obj, f.attname), type(getattr(obj, f.attname))) for f in obj._meta.concrete_fields}


def test_a_resellers_get_reads_what_the_orm_reads(actor, two_tenants, now):
    """subscription_get's fixed statement for a reseller builds the instances select_related would."""
    mine, _ = two_tenants
    services.subscription_start(actor=actor, subscription=mine[0], now=now)
    services.subscription_cancel(actor=actor, subscription=mine[0], reason="dear", now=now)
    for subscription in mine:
        found = selectors.subscription_get(actor.tenant, subscription.public_id)
        expected = selectors.subscriptions_visible(actor.tenant).get(pk=subscription.pk)
        assert _columns(found) == _columns(expected)
        for related in (found.customer, found.reseller, found.plan, found.plan.product):
            assert related._state.adding is False and related._state.db == "default"
        assert _columns(found.customer) == _columns(expected.customer)
        assert _columns(found.reseller) == _columns(expected.reseller)
        assert _columns(found.plan) == _columns(expected.plan)
        assert _columns(found.plan.product) == _columns(expected.plan.product)
