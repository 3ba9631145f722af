import pytest

from partnerdesk import demo
from partnerdesk.accounts.models import ApiKey, Reseller, User
from partnerdesk.accounts.selectors import apikey_authenticate
from partnerdesk.audit.models import AuditEvent
from partnerdesk.catalog.models import Plan, Product
from partnerdesk.customers.models import Customer
from partnerdesk.subscriptions.models import Member, Subscription


def counts() -> tuple:
    return tuple(
        m.objects.count() for m in (Product, Plan, Reseller, User, Customer, Subscription, Member, AuditEvent, ApiKey)
    )


@pytest.mark.django_db
def test_demo_tells_the_seed_stories_and_is_idempotent():
    summary = demo.load().summary()
    assert "owner@nordwind.example" in summary and demo.DEMO_PASSWORD in summary
    assert set(Product.objects.values_list("name", flat=True)) == {
        "Signatures for Microsoft 365",
        "Signatures for Google Workspace",
        "Shared Contacts for Gmail",
        "Rainbow Business",
        "AxCrypt Business",
    }
    assert Plan.objects.filter(term_months=1).count() == 5 and Plan.objects.filter(term_months=12).count() == 5
    assert set(Plan.objects.filter(trial_days=14).values_list("product__code", flat=True)) == {
        "signatures-m365",
        "signatures-google",
    }
    polder = Reseller.objects.get(name="Polder IT B.V.")
    assert polder.parent.name == "Nordwind Distribution GmbH"
    assert Reseller.objects.get(name="Isar Systemhaus GmbH").parent is None
    assert 50 <= Customer.objects.count() <= 70
    statuses = set(Subscription.objects.values_list("status", flat=True))
    assert {"trial", "active", "cancelled"} <= statuses
    assert Subscription.objects.filter(archived=True).exists()
    assert Subscription.objects.filter(cancel_at_period_end=True).exists()
    assert Customer.objects.filter(status="invited").exists()
    for key in demo.DEMO_KEYS.values():
        assert apikey_authenticate(key) is not None
    # Every subscription respects its seats; the second run changes nothing.
    assert all(s.assigned <= s.seats for s in Subscription.objects.all())
    first = counts()
    again = demo.load()
    assert counts() == first
    assert "nothing (already loaded)" in again.summary()


@pytest.mark.django_db(transaction=True)
def test_demo_reset_starts_over():
    demo.load()
    Customer.objects.filter(company_name__startswith="Alpen").update(contact_name="changed")
    demo.load(reset=True)
    assert not Customer.objects.filter(contact_name="changed").exists()
    assert Customer.objects.count() >= 50
