"""Auth, error shapes, validation, pagination and the OpenAPI document."""

from __future__ import annotations

import pytest
from openapi_spec_validator import validate

from partnerdesk.customers.models import Customer
from tests.api.conftest import assert_error

pytestmark = pytest.mark.django_db(transaction=True)

CUSTOMER = {
    "company_name": "Amstel Logistiek B.V.",
    "contact_name": "Sophie Bakker",
    "contact_email": "sophie@amstel.example",
    "domain": "amstel.example",
    "country": "NL",
}


def test_missing_or_bad_key_is_401(client_for, api):
    assert_error(client_for(None).get("/customers"), 401, "authentication_failed")
    assert_error(client_for("pd_wrong").get("/customers"), 401, "authentication_failed")


def test_unknown_paths_and_methods_answer_in_the_error_shape(api):
    assert_error(api.get("/nothing-here"), 404, "not_found")
    response = api.delete("/customers")
    assert_error(response, 405, "invalid_request")
    assert response.headers["content-type"].startswith("application/json")


def test_bodies_that_are_not_json(api):
    response = api.post("/customers", content=b"{not json", headers={"Content-Type": "application/json"})
    assert_error(response, 400, "invalid_request")


@pytest.mark.parametrize("field", ["reseller", "price", "discount", "status", "id"])
def test_unknown_or_forbidden_fields_are_rejected_not_applied(api, field):
    error = assert_error(api.post("/customers", json=CUSTOMER | {field: "x"}), 400, "invalid_request", field)
    assert "Unknown field" in error["message"]
    assert not Customer.objects.exists()


def test_validation_errors_name_the_param(api):
    assert_error(api.post("/customers", json=CUSTOMER | {"country": "XX"}), 400, "invalid_request", "country")
    body = {k: v for k, v in CUSTOMER.items() if k != "country"}
    assert_error(api.post("/customers", json=body), 400, "invalid_request", "country")


def test_create_get_patch_customer(api, reseller):
    created = api.post("/customers", json=CUSTOMER | {"invite": True})
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["id"].startswith("cus_") and body["status"] == "invited"
    assert body["reseller"] == reseller.public_id
    assert api.get(f"/customers/{body['id']}").json() == body
    patched = api.patch(f"/customers/{body['id']}", json={"contact_name": "Jan de Vries"})
    assert patched.json()["contact_name"] == "Jan de Vries"


def test_pagination_is_newest_first_and_stable_under_inserts(api):
    ids = [api.post("/customers", json=CUSTOMER | {"company_name": f"Firma {n} B.V."}).json()["id"] for n in range(5)]
    first = api.get("/customers", params={"limit": 2}).json()
    assert [c["id"] for c in first["data"]] == ids[::-1][:2] and first["has_more"] is True
    api.post("/customers", json=CUSTOMER | {"company_name": "Nieuw B.V."})  # lands on top, shifts nothing
    second = api.get("/customers", params={"limit": 2, "starting_after": first["data"][-1]["id"]}).json()
    assert [c["id"] for c in second["data"]] == ids[::-1][2:4]
    last = api.get("/customers", params={"limit": 2, "starting_after": second["data"][-1]["id"]}).json()
    assert [c["id"] for c in last["data"]] == [ids[0]] and last["has_more"] is False
    assert_error(api.get("/customers", params={"limit": 0}), 400, "invalid_request", "limit")
    assert_error(api.get("/customers", params={"limit": 101}), 400, "invalid_request", "limit")
    assert_error(api.get("/customers", params={"starting_after": "cus_nope"}), 400, "invalid_request", "starting_after")


def test_openapi_document_is_valid_and_describes_errors(api):
    schema = api.get("/openapi.json").json()
    validate(schema)
    operations = [op for path in schema["paths"].values() for op in path.values()]
    assert len(operations) >= 15
    for operation in operations:
        assert {"400", "401", "404"} <= set(operation["responses"]), operation["operationId"]


def test_docs_are_served_without_a_cdn(live_server, client_for):
    page = client_for(None).get("/docs")
    assert page.status_code == 200
    assert "cdn" not in page.text.lower() and "/static/ninja/swagger-ui-bundle" in page.text


def test_keys_record_last_use_and_revoked_keys_stop_working(client_for, reseller, vendor):
    from partnerdesk.accounts.models import ApiKey
    from partnerdesk.accounts.services import apikey_create, apikey_revoke
    from partnerdesk.core.actors import Actor

    created = apikey_create(actor=Actor.system(), reseller=reseller)
    client = client_for(created.secret)
    assert ApiKey.objects.get(pk=created.api_key.pk).last_used_at is None
    assert client.get("/products").status_code == 200
    assert ApiKey.objects.get(pk=created.api_key.pk).last_used_at is not None
    apikey_revoke(actor=Actor.system(), api_key=created.api_key)
    assert_error(client.get("/products"), 401, "authentication_failed")


def test_suspended_resellers_keys_stop_working(api, reseller):
    reseller.status = "suspended"
    reseller.save(update_fields=["status"])
    assert_error(api.get("/products"), 401, "authentication_failed")


@pytest.mark.django_db
def test_last_use_is_written_at_most_once_a_minute(client, reseller, vendor):
    """A read must not become a write: the key's last use is recorded when it is older than a minute."""
    from datetime import timedelta

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from partnerdesk.accounts.models import ApiKey
    from partnerdesk.accounts.services import apikey_create
    from partnerdesk.core.actors import Actor

    created = apikey_create(actor=Actor.system(), reseller=reseller)
    auth = {"Authorization": f"Bearer {created.secret}"}

    def writes() -> list[str]:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/api/v1/subscriptions", headers=auth).status_code == 200
        return [q["sql"] for q in captured if q["sql"].startswith("UPDATE") and "accounts_apikey" in q["sql"]]

    assert len(writes()) == 1  # first use
    first = ApiKey.objects.get(pk=created.api_key.pk).last_used_at
    assert writes() == [] and writes() == []
    assert ApiKey.objects.get(pk=created.api_key.pk).last_used_at == first
    ApiKey.objects.filter(pk=created.api_key.pk).update(last_used_at=first - timedelta(seconds=61))
    assert len(writes()) == 1
    assert ApiKey.objects.get(pk=created.api_key.pk).last_used_at > first
