"""Bearer API keys. ``request.auth`` becomes the :class:`Actor` the services need."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone
from ninja.security import HttpBearer
from ninja.throttling import SimpleRateThrottle

from partnerdesk.accounts.models import ApiKey
from partnerdesk.accounts.selectors import apikey_authenticate
from partnerdesk.core.actors import Actor, Tenant

# Writing last_used_at on every request would turn every read into a write.
_LAST_USED_RESOLUTION = timedelta(minutes=1)


def actor_for_key(api_key: ApiKey) -> Actor:
    if api_key.is_vendor:
        return Actor(tenant=Tenant.for_vendor(), api_key=api_key, label=f"api key {api_key.prefix}…")
    # A reseller key may do what a reseller admin may do.
    return Actor(
        tenant=Tenant.for_reseller(api_key.reseller),
        api_key=api_key,
        role="admin",
        label=f"api key {api_key.prefix}…",
    )


class ApiKeyAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Actor | None:
        api_key = apikey_authenticate(token)
        if api_key is None:
            return None
        if api_key.reseller is not None and api_key.reseller.status != "active":
            return None
        now = timezone.now()
        if api_key.last_used_at is None or now - api_key.last_used_at > _LAST_USED_RESOLUTION:
            ApiKey.objects.filter(pk=api_key.pk).update(last_used_at=now)
        return actor_for_key(api_key)


class PerKeyRateThrottle(SimpleRateThrottle):
    """N requests per second per API key (PARTNERDESK_API_RATE, default 100/s)."""

    scope = "api_key"

    def allow_request(self, request: HttpRequest) -> bool:
        # Read per request, so the rate can be changed without rebuilding the API.
        self.rate = settings.API_RATE
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request)

    def get_cache_key(self, request: HttpRequest) -> str | None:
        actor = getattr(request, "auth", None)
        if not isinstance(actor, Actor) or actor.api_key is None:
            return None
        # The hash, not the pk: a pk can be reused after a rollback, a key hash never is.
        return self.cache_format % {"scope": self.scope, "ident": actor.api_key.key_hash}
