from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from partnerdesk.accounts import apikeys, selectors, services
from partnerdesk.accounts.models import ApiKey, Reseller, ResellerMembership, User, Vendor
from partnerdesk.audit.models import AuditEvent
from partnerdesk.core.errors import DomainError


def test_users_log_in_by_email_case_insensitively(db):
    User.objects.create_user(email="Anna@Example.com", password="pw")
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(email="ANNA@example.com")


@pytest.mark.parametrize(
    "fields",
    [{"discount_percent": Decimal("100.01")}, {"discount_percent": Decimal("-1")}, {"status": "gone"}],
    ids=["discount>100", "negative-discount", "bad-status"],
)
def test_reseller_constraints(reseller, fields):
    with pytest.raises(IntegrityError), transaction.atomic():
        Reseller.objects.filter(pk=reseller.pk).update(**fields)


def test_a_reseller_cannot_be_its_own_parent(reseller):
    with pytest.raises(IntegrityError), transaction.atomic():
        Reseller.objects.filter(pk=reseller.pk).update(parent=reseller.pk)


def test_only_one_vendor(vendor):
    with pytest.raises(IntegrityError), transaction.atomic():
        Vendor.objects.create(name="Second", country="DE")


def test_an_api_key_has_exactly_one_scope(reseller):
    with pytest.raises(IntegrityError), transaction.atomic():
        ApiKey.objects.create(prefix="pd_x", key_hash="a" * 64, reseller=reseller, is_vendor=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        ApiKey.objects.create(prefix="pd_x", key_hash="b" * 64)


def test_reseller_create_with_parent_and_owner(vendor_actor, reseller):
    child, membership = services.reseller_create(
        actor=vendor_actor,
        name="Polder IT B.V.",
        country="nl",
        admin_email="Owner@Polder.example",
        vat_id="NL004495445B01",
        discount="15.5",
        parent_name=reseller.name,
    )
    assert (child.parent, str(child.discount_percent), child.country) == (reseller, "15.50", "NL")
    assert (membership.role, membership.user.email) == ("owner", "owner@polder.example")
    assert not membership.user.has_usable_password()
    assert AuditEvent.objects.filter(action="reseller.create", object_id=child.public_id).exists()


@pytest.mark.parametrize(
    ("kwargs", "param"),
    [
        ({"discount": "120"}, "discount"),
        ({"discount": "abc"}, "discount"),
        ({"country": "XX"}, "country"),
        ({"admin_email": "nope"}, "admin_email"),
        ({"parent_name": "Nobody"}, "parent"),
        ({"name": "Isar Systemhaus GmbH"}, "name"),
        ({"vat_id": "DE000000000"}, "vat_id"),
    ],
)
def test_reseller_create_refuses_bad_input_and_changes_nothing(vendor_actor, reseller, kwargs, param):
    args = {"name": "New Partner GmbH", "country": "DE", "admin_email": "new@partner.example"} | kwargs
    counts = (Reseller.objects.count(), User.objects.count(), ResellerMembership.objects.count())
    with pytest.raises(DomainError) as error:
        services.reseller_create(actor=vendor_actor, **args)
    assert error.value.param == param
    assert (Reseller.objects.count(), User.objects.count(), ResellerMembership.objects.count()) == counts


def test_only_the_vendor_creates_resellers(actor):
    with pytest.raises(DomainError) as error:
        services.reseller_create(actor=actor, name="X GmbH", country="DE", admin_email="x@x.example")
    assert error.value.code == "permission_denied"


def test_api_keys_are_stored_hashed_and_shown_once(vendor_actor, reseller):
    created = services.apikey_create(actor=vendor_actor, reseller=reseller, name="ci")
    stored = ApiKey.objects.get(pk=created.api_key.pk)
    assert created.secret.startswith("pd_") and len(created.secret) == 46
    assert stored.key_hash == apikeys.hash_key(created.secret)
    assert created.secret not in {stored.prefix, stored.key_hash, stored.name}
    assert created.secret.startswith(stored.prefix)
    assert selectors.apikey_authenticate(created.secret) == stored
    wrong_last = "y" if created.secret.endswith("x") else "x"  # a changed key, whatever its last character
    assert selectors.apikey_authenticate(created.secret[:-1] + wrong_last) is None
    services.apikey_revoke(actor=vendor_actor, api_key=stored)
    assert selectors.apikey_authenticate(created.secret) is None


def test_resellers_cannot_make_vendor_keys_or_keys_for_others(actor, other_reseller):
    with pytest.raises(DomainError):
        services.apikey_create(actor=actor, vendor=True)
    with pytest.raises(DomainError) as error:
        services.apikey_create(actor=actor, reseller=other_reseller)
    assert error.value.code == "not_found"
    assert ApiKey.objects.count() == 0


def test_reseller_update_is_audited(vendor_actor, reseller):
    services.reseller_update(
        actor=vendor_actor, reseller=reseller, data={"discount_percent": "30", "status": "suspended"}
    )
    reseller.refresh_from_db()
    assert (reseller.discount_percent, reseller.status) == (Decimal("30"), "suspended")
    event = AuditEvent.objects.get(action="reseller.update")
    assert event.before["discount_percent"] == "20.00" and event.after["status"] == "suspended"
