from __future__ import annotations

import threading

import pytest

from partnerdesk.core.models import IdempotencyRecord
from partnerdesk.customers.models import Customer
from tests.api.conftest import assert_error

pytestmark = pytest.mark.django_db(transaction=True)

BODY = {"company_name": "Maas Handel B.V.", "country": "NL"}


def test_same_key_same_body_replays_the_first_response(api):
    first = api.post("/customers", json=BODY, headers={"Idempotency-Key": "k-1"})
    again = api.post("/customers", json=BODY, headers={"Idempotency-Key": "k-1"})
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true" and "Idempotent-Replayed" not in first.headers
    assert Customer.objects.count() == 1


def test_same_key_other_body_is_a_conflict(api):
    api.post("/customers", json=BODY, headers={"Idempotency-Key": "k-2"})
    other = api.post("/customers", json=BODY | {"company_name": "Other B.V."}, headers={"Idempotency-Key": "k-2"})
    assert_error(other, 409, "idempotency_conflict", "Idempotency-Key")
    assert Customer.objects.count() == 1


def test_errors_are_replayed_too_and_keys_are_per_owner(api, other_api):
    bad = api.post("/customers", json={"country": "NL"}, headers={"Idempotency-Key": "k-3"})
    replay = api.post("/customers", json={"country": "NL"}, headers={"Idempotency-Key": "k-3"})
    assert bad.status_code == replay.status_code == 400 and replay.headers["Idempotent-Replayed"] == "true"
    # Another reseller's identical key is a different key.
    theirs = other_api.post("/customers", json=BODY, headers={"Idempotency-Key": "k-3"})
    assert theirs.status_code == 201 and "Idempotent-Replayed" not in theirs.headers


def test_50_concurrent_identical_posts_create_exactly_one(api):
    start = threading.Barrier(50)
    results = []

    def post():
        start.wait()
        response = api.post("/customers", json=BODY, headers={"Idempotency-Key": "race"})
        results.append((response.status_code, response.json().get("id")))

    threads = [threading.Thread(target=post) for _ in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert Customer.objects.count() == 1
    assert {status for status, _ in results} == {201}
    assert {cid for _, cid in results} == {Customer.objects.get().public_id}
    assert IdempotencyRecord.objects.filter(key="race", done=True).count() == 1


def test_rate_limit_per_key(api, other_api, settings):
    settings.API_RATE = "5/m"
    assert [api.get("/products").status_code for _ in range(5)] == [200] * 5
    limited = api.get("/products")
    assert_error(limited, 429, "rate_limited")
    assert int(limited.headers["Retry-After"]) >= 1
    assert other_api.get("/products").status_code == 200
