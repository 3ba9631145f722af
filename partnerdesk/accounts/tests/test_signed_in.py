"""Each console request reads its session, user, memberships and revision numbers in one
statement (selectors.session_read, sessions/db.py, backends.py), and each API request its key
with the revision numbers (selectors.apikey_authenticate): the same instances the ORM would
build, Django's own sign-in checks, and a cached page or list that costs one query.

Transactional: the views cache is not used inside a transaction (revisions/cache.py)."""

from __future__ import annotations

import importlib
from datetime import timedelta

import pytest
from django.apps import apps
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends import db as djangos_sessions
from django.db import connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from conftest import make_reseller
from partnerdesk.accounts.models import ApiKey, Session, User
from partnerdesk.accounts.selectors import active_memberships, apikey_authenticate, session_read
from partnerdesk.accounts.services import apikey_create
from partnerdesk.accounts.sessions.db import SessionStore
from partnerdesk.core.actors import Actor
from partnerdesk.core.tests.test_rows import join_two_more_resellers, values
from partnerdesk.revisions.cache import usable_revisions
from partnerdesk.revisions.selectors import reseller_revision

pytestmark = pytest.mark.django_db(transaction=True)


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_session_statement_reads_what_the_orm_reads(reseller_and_user):
    reseller, user = reseller_and_user
    join_two_more_resellers(user)
    make_reseller("Tochter GmbH", parent=reseller, email="owner@tochter.example")
    key = signed_in(user).session.session_key

    found = session_read(key, timezone.now())
    assert found.session_data == Session.objects.get(pk=key).session_data
    assert values(found.user) == values(User.objects.get(pk=user.pk))
    expected = active_memberships(user.pk)  # itself compared with the ORM (core/tests/test_rows.py)
    assert [values(m) for m in found.memberships] == [values(m) for m in expected]
    assert [values(m.reseller) for m in found.memberships] == [values(m.reseller) for m in expected]
    assert [m.reseller.name for m in found.memberships] == [reseller.name, "Zweite GmbH"]
    # Every number the pages of each of the user's resellers depend on, sub-resellers included.
    assert f"reseller:{reseller.pk}" in dict(reseller_revision(reseller.pk))
    for membership in found.memberships:
        assert set(reseller_revision(membership.reseller_id)) <= set(found.revisions)
    assert list(found.revisions) == sorted(found.revisions)


def test_a_session_without_a_user_and_an_expired_one(db):
    anonymous = SessionStore()
    anonymous["seen"] = True
    anonymous.create()
    found = session_read(anonymous.session_key, timezone.now())
    assert found.user is None and found.memberships == []
    assert session_read(anonymous.session_key, timezone.now() + timedelta(weeks=3)) is None


def test_the_session_row_names_its_user_and_goes_with_it(reseller_and_user):
    user = reseller_and_user[1]
    client = signed_in(user)
    assert Session.objects.get(pk=client.session.session_key).user_id == user.pk
    client.logout()
    assert not Session.objects.exists()

    anonymous = SessionStore()
    anonymous["seen"] = True
    anonymous.create()
    assert Session.objects.get(pk=anonymous.session_key).user_id is None

    signed_in(user), signed_in(user)
    User.objects.get(pk=user.pk).delete()
    assert list(Session.objects.values_list("user_id", flat=True)) == [None]


def test_djangos_sign_in_checks_still_apply(reseller_and_user):
    user = reseller_and_user[1]
    client, other = signed_in(user), signed_in(user)
    assert client.get("/console/").status_code == 200
    user.set_password("a new one")  # signs out every session made with the old password
    user.save()
    assert client.get("/console/").status_code == 302

    assert other.get("/console/").status_code == 302
    other = signed_in(user)
    User.objects.filter(pk=user.pk).update(is_active=False)
    assert other.get("/console/").status_code == 302


def test_verified_session_data_is_kept_as_json(reseller_and_user):
    client = signed_in(reseller_and_user[1])
    key = client.session.session_key
    first = SessionStore(key)
    first["methods"] = [{"method": "password"}]  # as allauth keeps them: a list of dicts
    first.save()

    loaded, again = SessionStore(key).load(), SessionStore(key).load()
    assert loaded == again and loaded["methods"] == [{"method": "password"}]
    loaded["methods"][0]["method"] = "changed"  # one request's change is not the next one's data
    assert SessionStore(key).load()["methods"] == [{"method": "password"}]
    assert client.get("/console/").status_code == 200


def test_session_data_that_fails_its_check_is_not_kept(reseller_and_user, settings):
    client = signed_in(reseller_and_user[1])
    key = client.session.session_key
    assert client.get("/console/").status_code == 200  # its data verified and kept

    session = Session.objects.get(pk=key)
    Session.objects.filter(pk=key).update(session_data=session.session_data[:-1] + "x")
    assert SessionStore(key).load() == {}
    assert client.get("/console/").status_code == 302

    Session.objects.filter(pk=key).update(session_data=session.session_data)
    assert client.get("/console/").status_code == 200
    settings.SECRET_KEY = "another secret of at least fifty characters, as Django wants it"
    assert SessionStore(key).load() == {}  # verified under the old secret only


def test_a_cached_console_page_is_one_query(reseller_and_user, annual_plan):
    client = signed_in(reseller_and_user[1])
    assert client.get("/console/").status_code == 200  # computes the page
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/console/").status_code == 200
    assert len(captured) == 1 and "accounts_session" in captured[0]["sql"]


def test_a_cached_api_list_is_one_query(reseller):
    key = apikey_create(actor=Actor.system(), reseller=reseller).secret
    client = Client(headers={"Authorization": f"Bearer {key}"})
    assert client.get("/api/v1/subscriptions").status_code == 200  # computes it, notes the key's use
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/api/v1/subscriptions").status_code == 200
    assert len(captured) == 1 and "accounts_apikey" in captured[0]["sql"]


def test_the_key_statement_reads_the_resellers_numbers(reseller):
    make_reseller("Tochter GmbH", parent=reseller, email="owner@tochter.example")
    found = apikey_authenticate(apikey_create(actor=Actor.system(), reseller=reseller).secret)
    assert found.revisions == reseller_revision(reseller.pk)
    vendor_key = apikey_authenticate(apikey_create(actor=Actor.system(), vendor=True).secret)
    assert ApiKey.objects.get(pk=vendor_key.pk).reseller_id is None and vendor_key.revisions is not None


def test_only_requests_that_change_nothing_use_the_numbers_read_first():
    numbers = (("catalog", 3), ("reseller:1", 7))
    assert usable_revisions(RequestFactory().get("/console/"), numbers) == numbers
    assert usable_revisions(RequestFactory().head("/console/"), numbers) == numbers
    assert usable_revisions(RequestFactory().post("/console/"), numbers) is None


def test_sessions_of_djangos_own_engine_carry_over(reseller_and_user):
    user = reseller_and_user[1]
    migration = importlib.import_module("partnerdesk.accounts.migrations.0002_session")
    data = djangos_sessions.SessionStore().encode({SESSION_KEY: str(user.pk), "other": 1})
    expires = timezone.now() + timedelta(days=1)
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE django_session (session_key varchar(40) PRIMARY KEY, session_data text, "
            "expire_date timestamp with time zone)"
        )
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO django_session VALUES (%s, %s, %s), (%s, %s, %s)",
                ["k" * 32, data, expires, "a" * 32, djangos_sessions.SessionStore().encode({"x": 1}), expires],
            )
        with connection.schema_editor() as editor:
            migration.keep_signed_in(apps, editor)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE django_session")
    assert SessionStore("k" * 32)[SESSION_KEY] == str(user.pk)
    assert dict(Session.objects.values_list("session_key", "user_id")) == {"k" * 32: user.pk, "a" * 32: None}


def test_expired_sessions_are_cleared_daily(reseller_and_user):
    from partnerdesk.accounts.tasks import clear_expired_sessions

    live = signed_in(reseller_and_user[1]).session.session_key
    old = SessionStore()
    old["seen"] = True
    old.set_expiry(timezone.now() - timedelta(seconds=1))
    old.create()
    assert clear_expired_sessions.call_local() == 1
    assert list(Session.objects.values_list("session_key", flat=True)) == [live]
