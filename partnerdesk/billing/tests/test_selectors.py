from datetime import timedelta

import pytest

from partnerdesk.billing.selectors import invoice_get, invoice_list
from partnerdesk.billing.shapes import invoice_shape, quote_shape
from partnerdesk.billing.tests.factories import make_purchasing_customer_admin
from partnerdesk.core.actors import Tenant
from partnerdesk.core.errors import DomainError
from partnerdesk.subscriptions.services import subscription_change_seats, subscription_seats_preview
from partnerdesk.subscriptions.tests.factories import make_subscription


@pytest.fixture
def two_tenants(vendor, actor, other_actor, annual_plan, now):
    mine = make_subscription(actor, annual_plan, now=now, seats=5)
    theirs = make_subscription(other_actor, annual_plan, now=now, seats=2)
    return mine, theirs


def test_a_reseller_sees_only_its_own_invoices(two_tenants, reseller, other_reseller):
    mine, theirs = two_tenants
    assert [i.subscription for i in invoice_list(Tenant.for_reseller(reseller))] == [mine]
    assert [i.subscription for i in invoice_list(Tenant.for_reseller(other_reseller))] == [theirs]
    assert invoice_list(Tenant.for_vendor()).count() == 2


def test_another_tenants_invoice_is_not_found(two_tenants, reseller):
    _, theirs = two_tenants
    with pytest.raises(DomainError) as error:
        invoice_get(Tenant.for_reseller(reseller), theirs.invoices.get().public_id)
    assert error.value.code == "not_found"


def test_filters_and_newest_first(two_tenants, reseller, actor, now):
    mine, _ = two_tenants
    _, top_up = subscription_change_seats(actor=actor, subscription=mine, seats=6, now=now + timedelta(days=5))
    tenant = Tenant.for_reseller(reseller)
    assert [i.number for i in invoice_list(tenant)] == [top_up.number, "2026-000001"]
    assert invoice_list(tenant, subscription_id=mine.public_id).count() == 2
    assert invoice_list(tenant, customer_id=mine.customer.public_id).count() == 2
    assert invoice_list(tenant, status="paid").count() == 0
    with pytest.raises(DomainError):
        invoice_list(tenant, status="weird")


def test_a_customer_sees_only_its_direct_purchases(two_tenants, actor, now):
    mine, _ = two_tenants
    buyer = make_purchasing_customer_admin(actor, mine, now=now)
    _, direct = subscription_change_seats(actor=buyer, subscription=mine, seats=6, now=now + timedelta(days=5))
    assert list(invoice_list(Tenant.for_customer(mine.customer))) == [direct]


def test_api_shapes(two_tenants, reseller, actor, now):
    mine, _ = two_tenants
    shape = invoice_shape(invoice_list(Tenant.for_reseller(reseller)).get())
    assert shape["id"].startswith("inv_") and shape["number"] == "2026-000001"
    assert (shape["subtotal"], shape["discount"], shape["tax"], shape["total"], shape["currency"]) == (
        "600.00",
        "120.00",
        "91.20",
        "571.20",
        "EUR",
    )
    assert shape["issued_at"] == "2026-03-10T09:30:00Z"
    assert shape["lines"][0]["unit_price"] == "10.00"
    quote = quote_shape(
        subscription_seats_preview(
            actor=actor, subscription=mine, seats=8, now=mine.current_period_end - timedelta(days=50)
        )
    )
    assert {k: quote[k] for k in ("months_charged", "subtotal", "discount", "tax", "total", "effective")} == {
        "months_charged": 2,
        "subtotal": "60.00",
        "discount": "12.00",
        "tax": "9.12",
        "total": "57.12",
        "effective": "now",
    }
