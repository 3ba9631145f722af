"""The hand-written lookups (core/rows.py) build the same instances as the ORM queries they replace."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth import BACKEND_SESSION_KEY, SESSION_KEY
from django.utils import timezone

from conftest import make_reseller
from partnerdesk.accounts.backends import AuthenticationBackend, ModelBackend
from partnerdesk.accounts.models import ApiKey, Reseller, ResellerMembership, User
from partnerdesk.accounts.selectors import active_memberships, apikey_authenticate
from partnerdesk.accounts.services import apikey_create
from partnerdesk.accounts.sessions import db as db_sessions
from partnerdesk.core.actors import Actor

pytestmark = pytest.mark.django_db


def values(obj) -> dict:
    """Every column's value and its Python type, as the instance holds them."""
    return {f.attname: (getattr(obj, f.attname), type(getattr(obj, f.attname))) for f in obj._meta.concrete_fields}


def test_api_key_with_its_reseller(reseller):
    secret = apikey_create(actor=Actor.system(), reseller=reseller, name="shop").secret
    ApiKey.objects.update(last_used_at=timezone.now())  # a datetime column with a value
    found = apikey_authenticate(secret)
    expected = ApiKey.objects.select_related("reseller").get()
    assert values(found) == values(expected)
    assert values(found.reseller) == values(expected.reseller)
    assert found._state.adding is False and found._state.db == "default"
    with pytest.raises(AssertionError):  # the comparison can fail: a different key differs
        assert values(found) == values(ApiKey(pk=found.pk, key_hash=found.key_hash))


def test_vendor_key_has_no_reseller(db):
    secret = apikey_create(actor=Actor.system(), vendor=True, name="vendor").secret
    found = apikey_authenticate(secret)
    assert found.is_vendor is True and found.reseller is None


def test_revoked_and_unknown_keys(reseller):
    secret = apikey_create(actor=Actor.system(), reseller=reseller, name="shop").secret
    assert apikey_authenticate(secret[:-1] + ("x" if secret[-1] != "x" else "y")) is None
    ApiKey.objects.update(revoked_at=timezone.now())
    assert apikey_authenticate(secret) is None


def join_two_more_resellers(user) -> None:
    """``user`` a viewer of a second reseller and an admin of a suspended one."""
    second, _ = make_reseller("Zweite GmbH", email="owner@zweite.example")
    ResellerMembership.objects.create(user=user, reseller=second, role="viewer")
    closed, _ = make_reseller("Geschlossen GmbH", email="owner@geschlossen.example")
    ResellerMembership.objects.create(user=user, reseller=closed, role="admin")
    Reseller.objects.filter(pk=closed.pk).update(status="suspended")


def test_memberships_of_active_resellers_oldest_first(reseller_and_user):
    reseller, user = reseller_and_user
    join_two_more_resellers(user)

    found = active_memberships(user.pk)
    expected = list(
        ResellerMembership.objects.filter(user=user, reseller__status=Reseller.Status.ACTIVE)
        .select_related("reseller")
        .order_by("created_at", "id")
    )
    assert [values(m) for m in found] == [values(m) for m in expected]
    assert [values(m.reseller) for m in found] == [values(m.reseller) for m in expected]
    assert [m.reseller.name for m in found] == [reseller.name, "Zweite GmbH"]


@pytest.mark.parametrize("backend", [ModelBackend, AuthenticationBackend])
def test_signed_in_user(reseller_and_user, backend):
    _, user = reseller_and_user
    User.objects.filter(pk=user.pk).update(last_login=timezone.now())
    assert values(backend().get_user(user.pk)) == values(User.objects.get(pk=user.pk))
    assert backend().get_user(user.pk + 1000) is None
    User.objects.filter(pk=user.pk).update(is_active=False)
    assert backend().get_user(user.pk) is None  # as Django's backend: inactive users are signed out


def test_sessions_load_and_expire(reseller_and_user):
    _, user = reseller_and_user
    session = db_sessions.SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "partnerdesk.accounts.backends.ModelBackend"
    session.create()
    loaded = db_sessions.SessionStore(session.session_key)
    assert loaded[SESSION_KEY] == str(user.pk)

    session.set_expiry(timezone.now() - timedelta(seconds=1))
    session.save()
    expired = db_sessions.SessionStore(session.session_key)
    assert SESSION_KEY not in expired
    assert expired.session_key is None  # a new session will get a new key, as with Django's engine
