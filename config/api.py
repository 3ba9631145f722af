"""The one NinjaAPI: /api/v1, every app's router, API-key auth, per-key rate limit."""

from __future__ import annotations

from ninja import NinjaAPI

from partnerdesk.audit.api import router as audit_router
from partnerdesk.billing.api import router as billing_router
from partnerdesk.catalog.api import router as catalog_router
from partnerdesk.core.api import errors
from partnerdesk.core.api.auth import ApiKeyAuth, PerKeyRateThrottle
from partnerdesk.core.api.sandbox import router as sandbox_router
from partnerdesk.customers.api import router as customers_router
from partnerdesk.invitations.api import router as invitations_router
from partnerdesk.subscriptions.api import router as subscriptions_router
from partnerdesk.webhooks.api import router as webhooks_router

api = NinjaAPI(
    title="partnerdesk API",
    version="1",
    description=(
        "Every console action for resellers' own tools. Authenticate with "
        '`Authorization: Bearer <api key>`. Errors: `{"error": {"type", "message", "param"}}`. '
        "Every POST accepts an `Idempotency-Key` header."
    ),
    urls_namespace="api-v1",
    docs_url="/docs",
    openapi_url="/openapi.json",
    auth=ApiKeyAuth(),
    throttle=[PerKeyRateThrottle()],
)
errors.register(api)

for router in (
    catalog_router,
    customers_router,
    invitations_router,
    subscriptions_router,
    billing_router,
    webhooks_router,
    audit_router,
    sandbox_router,
):
    api.add_router("", router)
