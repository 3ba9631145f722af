"""Subscriptions through HTTP, told as the seed stories."""

from __future__ import annotations

import pytest

from tests.api.conftest import assert_error

pytestmark = pytest.mark.django_db(transaction=True)

NEW_CUSTOMER = {
    "company_name": "Elbe Medien GmbH",
    "contact_name": "Lena Weber",
    "contact_email": "lena@elbe-medien.example",
    "domain": "elbe-medien.example",
    "country": "DE",
}


def test_exclaimer_story_trial_admin_start_cancel_archive(api, trial_plan, reseller):
    """Seed 000: new customer subscription with "can customers edit?", a 14-day trial
    at once, Start, Manage (ID), cancel, and the archived list."""
    created = api.post(
        "/subscriptions",
        json={
            "new_customer": NEW_CUSTOMER | {"invite": True},
            "plan": trial_plan.code,
            "seats": 25,
            "customer_can_manage": True,
            "customer_admin": {"name": "Lena Weber", "email": "lena@elbe-medien.example"},
        },
    )
    assert created.status_code == 201, created.text
    sub = created.json()
    assert (sub["status"], sub["seats"], sub["assigned"], sub["product"]) == ("trial", 25, 0, "signatures-m365")
    assert sub["trial_ends_at"] is not None and sub["next_payment_date"] == sub["trial_ends_at"][:10]
    customer = api.get(f"/customers/{sub['customer']}").json()
    assert customer["status"] == "invited"

    admins = api.get(f"/subscriptions/{sub['id']}/admins").json()["data"]
    assert sorted((a["kind"], a["holds_seat"]) for a in admins) == [("customer", False), ("reseller", False)]

    started = api.post(f"/subscriptions/{sub['id']}/start").json()
    assert started["started_at"] and started["launch_url"].endswith(f"subscription={sub['id']}")

    cancelled = api.post(f"/subscriptions/{sub['id']}/cancel", json={"reason": "no budget"}).json()
    assert (cancelled["status"], cancelled["archived"]) == ("cancelled", True)
    archived = api.get("/subscriptions", params={"archived": "true"}).json()["data"]
    assert [s["id"] for s in archived] == [sub["id"]]
    assert api.get("/subscriptions", params={"archived": "false"}).json()["data"] == []


def test_axcrypt_story_members_up_to_the_limit(api, annual_plan):
    """Seed 004: add members while unused licenses remain; then 409; removing one frees it."""
    sub = api.post(
        "/subscriptions",
        json={"new_customer": NEW_CUSTOMER, "plan": annual_plan.code, "seats": 3, "payment_method": "bank_transfer"},
    ).json()
    members = [
        api.post(f"/subscriptions/{sub['id']}/members", json={"email": f"u{n}@elbe-medien.example"}) for n in range(3)
    ]
    assert [m.status_code for m in members] == [201, 201, 201]
    assert members[0].json()["id"].startswith("mem_") and members[0].json()["status"] == "invited"
    full = api.post(f"/subscriptions/{sub['id']}/members", json={"email": "u4@elbe-medien.example"})
    assert_error(full, 409, "conflict", "email")
    assert api.get(f"/subscriptions/{sub['id']}").json()["assigned"] == 3

    removed = api.delete(f"/subscriptions/{sub['id']}/members/{members[1].json()['id']}")
    assert removed.status_code == 204 and removed.content == b""
    again = api.post(f"/subscriptions/{sub['id']}/members", json={"email": "u4@elbe-medien.example"})
    assert again.status_code == 201
    listed = api.get(f"/subscriptions/{sub['id']}/members").json()["data"]
    assert sorted(m["email"] for m in listed) == [
        "u0@elbe-medien.example",
        "u2@elbe-medien.example",
        "u4@elbe-medien.example",
    ]


def test_paid_cancel_and_reactivate(api, monthly_plan):
    sub = api.post("/subscriptions", json={"new_customer": NEW_CUSTOMER, "plan": monthly_plan.code, "seats": 2}).json()
    cancelled = api.post(f"/subscriptions/{sub['id']}/cancel", json={}).json()
    assert (cancelled["status"], cancelled["cancel_at_period_end"], cancelled["next_payment_date"]) == (
        "active",
        True,
        None,
    )
    reactivated = api.post(f"/subscriptions/{sub['id']}/reactivate").json()
    assert reactivated["cancel_at_period_end"] is False
    assert reactivated["next_payment_date"] == sub["next_payment_date"]
    assert_error(api.post(f"/subscriptions/{sub['id']}/reactivate"), 409, "conflict")


@pytest.mark.parametrize(
    ("body", "param"),
    [
        ({"plan": "nope", "seats": 1}, "plan"),
        ({"plan": "P", "seats": "5"}, "seats"),
        ({"plan": "P", "seats": 0}, "seats"),
        ({"plan": "P", "seats": 1, "payment_method": "cash"}, "payment_method"),
        ({"plan": "P", "seats": 1, "price_per_seat": "0.01"}, "price_per_seat"),
    ],
    ids=["unknown-plan", "string-seats", "zero-seats", "cash", "price-override"],
)
def test_bad_subscription_requests_change_nothing(api, annual_plan, body, param):
    body = body | {"new_customer": NEW_CUSTOMER}
    if body["plan"] == "P":
        body["plan"] = annual_plan.code
    response = api.post("/subscriptions", json=body)
    assert response.status_code in (400, 404)
    assert response.json()["error"]["param"] == param
    assert api.get("/customers").json()["data"] == []  # the new customer was not half-created


def test_customer_or_new_customer_exactly_one(api, annual_plan):
    assert_error(
        api.post("/subscriptions", json={"plan": annual_plan.code, "seats": 1}), 400, "invalid_request", "customer"
    )


def test_vendor_key_sees_every_tenant(api, other_api, vendor_api, annual_plan):
    mine = api.post("/subscriptions", json={"new_customer": NEW_CUSTOMER, "plan": annual_plan.code, "seats": 1}).json()
    theirs = other_api.post(
        "/subscriptions", json={"new_customer": NEW_CUSTOMER | {"country": "NL"}, "plan": annual_plan.code, "seats": 1}
    ).json()
    seen = {s["id"] for s in vendor_api.get("/subscriptions").json()["data"]}
    assert seen == {mine["id"], theirs["id"]}
    assert [s["id"] for s in api.get("/subscriptions").json()["data"]] == [mine["id"]]
