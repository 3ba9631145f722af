"""Schemathesis over the whole OpenAPI document, with two tenants' keys: no server
error and no response that breaks the documented schema, for any generated input."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import checks

from config.wsgi import application
from partnerdesk.accounts.services import apikey_create
from partnerdesk.core.actors import Actor

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)

CHECKS = [
    checks.not_a_server_error,
    checks.response_schema_conformance,
    checks.status_code_conformance,
    checks.content_type_conformance,
]


@pytest.fixture(autouse=True)
def keep_test_connection():
    """Calling the WSGI app directly would close the test's database connection at the end
    of each request; Django's own test client avoids that the same way."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def tenant_keys(db, reseller, other_reseller, annual_plan, trial_plan, now):
    from partnerdesk.subscriptions.tests.factories import make_subscription

    for r in (reseller, other_reseller):
        owner = r.memberships.get().user
        make_subscription(Actor.reseller_user(owner, r, "owner"), annual_plan, now=now, seats=2)
    return [apikey_create(actor=Actor.system(), reseller=r).secret for r in (reseller, other_reseller)]


@schema.parametrize()
@settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_api_never_breaks_its_contract(case, tenant_keys):
    for key in tenant_keys:
        case.call_and_validate(headers={"Authorization": f"Bearer {key}"}, checks=CHECKS)
