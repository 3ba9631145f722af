"""Vendor staff use the Django admin for the catalog and resellers."""

from decimal import Decimal

import pytest

from partnerdesk.accounts.models import Reseller, User
from partnerdesk.audit.models import AuditEvent


@pytest.fixture
def staff_client(client, db):
    staff = User.objects.create_superuser(email="staff@vendor.example", password="pw")
    client.force_login(staff)
    return client


@pytest.mark.parametrize(
    "url",
    [
        "/admin/",
        "/admin/accounts/reseller/",
        "/admin/catalog/product/",
        "/admin/catalog/plan/",
        "/admin/customers/customer/",
        "/admin/subscriptions/subscription/",
        "/admin/audit/auditevent/",
    ],
)
def test_pages_open(staff_client, reseller, annual_plan, url):
    assert staff_client.get(url).status_code == 200


def test_changing_a_discount_goes_through_the_service_and_is_audited(staff_client, reseller):
    page = staff_client.get(f"/admin/accounts/reseller/{reseller.pk}/change/")
    assert page.status_code == 200
    form = {
        "name": reseller.name,
        "country": "DE",
        "vat_id": "",
        "address": "",
        "contact_email": reseller.contact_email,
        "language": "en",
        "discount_percent": "32.5",
        "parent": "",
        "status": "active",
        "memberships-TOTAL_FORMS": "1",
        "memberships-INITIAL_FORMS": "1",
        "memberships-MIN_NUM_FORMS": "0",
        "memberships-MAX_NUM_FORMS": "1000",
        "memberships-0-id": str(reseller.memberships.get().pk),
        "memberships-0-reseller": str(reseller.pk),
        "memberships-0-user": str(reseller.memberships.get().user_id),
        "memberships-0-role": "owner",
        "_save": "Save",
    }
    response = staff_client.post(f"/admin/accounts/reseller/{reseller.pk}/change/", form)
    assert response.status_code == 302, response.content[:2000]
    assert Reseller.objects.get(pk=reseller.pk).discount_percent == Decimal("32.5")
    event = AuditEvent.objects.get(action="reseller.update")
    assert event.actor == "staff@vendor.example" and event.after["discount_percent"] == "32.50"


def test_suspend_action(staff_client, reseller):
    staff_client.post("/admin/accounts/reseller/", {"action": "suspend", "_selected_action": [reseller.pk]})
    assert Reseller.objects.get(pk=reseller.pk).status == "suspended"


def test_health(client, db):
    response = client.get("/healthz")
    assert response.json() == {"status": "ok"} and response["X-Request-ID"]


def test_ready(client, db):
    response = client.get("/readyz")
    assert response.status_code == 200 and response.json() == {"status": "ready"}
