"""Tenant isolation: walk every operation in the OpenAPI document with a second
reseller's key and the first reseller's ids; nothing may leak or change."""

from __future__ import annotations

import re

import pytest

from partnerdesk.audit.models import AuditEvent

pytestmark = pytest.mark.django_db(transaction=True)

SAMPLE_BODIES = {
    "email": "intruder@evil.example",
    "seats": 1,
    "reason": "x",
    "company_name": "Evil GmbH",
    "contact_name": "x",
}


@pytest.fixture
def first_tenant(api, annual_plan, reseller, vendor):
    customer = api.post(
        "/customers", json={"company_name": "Amstel B.V.", "country": "NL", "contact_email": "it@amstel.example"}
    ).json()
    sub = api.post(
        "/subscriptions",
        json={
            "customer": customer["id"],
            "plan": annual_plan.code,
            "seats": 5,
            "customer_can_manage": True,
            "customer_admin": {"email": "chef@amstel.example"},
        },
    ).json()
    member = api.post(f"/subscriptions/{sub['id']}/members", json={"email": "m@amstel.example"}).json()
    admins = api.get(f"/subscriptions/{sub['id']}/admins").json()["data"]
    admin = next(a for a in admins if a["kind"] == "customer")
    return {
        "customer_id": customer["id"],
        "subscription_id": sub["id"],
        "member_id": member["id"],
        "admin_id": admin["id"],
    }


def _ids_in(value) -> set[str]:
    return set(re.findall(r"\b(?:cus|sub|mem|adm|inv|evt|we|ivt|dlv|aud)_[A-Za-z0-9]{20}\b", str(value)))


def test_every_operation_with_another_tenants_ids(api, other_api, first_tenant, reseller):
    schema = api.get("/openapi.json").json()
    mine = set(first_tenant.values())
    audit_before = AuditEvent.objects.filter(reseller=reseller).count()
    walked = 0
    for template, operations in schema["paths"].items():
        path = template.removeprefix("/api/v1")
        for name, value in first_tenant.items():
            path = path.replace("{" + name + "}", value)
        for method in operations:
            if "{" in path or "sandbox" in path:
                continue
            walked += 1
            params = {
                "customer": first_tenant["customer_id"],
                "subscription": first_tenant["subscription_id"],
                "acting_on": first_tenant["customer_id"],
                "object": first_tenant["subscription_id"],
            }
            if method == "get":
                response = other_api.get(path, params=params)
            elif method == "delete":
                response = other_api.delete(path)
            else:
                response = other_api.request(
                    method.upper(),
                    path,
                    json=SAMPLE_BODIES
                    if method == "patch"
                    else {"email": "intruder@evil.example", "seats": 1, "reason": "x"},
                )
            leaked = _ids_in(response.text) & mine
            assert not leaked, f"{method.upper()} {template} leaked {leaked}"
            if any(f"{{{name}}}" in template for name in first_tenant):
                assert response.status_code in (400, 404), f"{method.upper()} {template}: {response.status_code}"
                if response.status_code == 404:
                    assert response.json()["error"]["type"] == "not_found"
    assert walked >= 25
    # Nothing of the first tenant changed: no audit entry was written for it.
    assert AuditEvent.objects.filter(reseller=reseller).count() == audit_before
    sub = api.get(f"/subscriptions/{first_tenant['subscription_id']}").json()
    assert (sub["status"], sub["seats"], sub["assigned"]) == ("active", 5, 1)
