"""Bearer API keys. ``request.auth`` becomes the :class:`Actor` the services need."""

from __future__ import annotations

import threading
from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone
from ninja.security import HttpBearer
from ninja.throttling import BaseThrottle, SimpleRateThrottle

from partnerdesk.accounts.models import ApiKey
from partnerdesk.accounts.selectors import apikey_authenticate
from partnerdesk.core.actors import Actor, Revisions, Tenant
from partnerdesk.core.ratelimit import rate_limit_take
from partnerdesk.revisions.cache import usable_revisions

# Writing last_used_at on every request would turn every read into a write: once a minute per key.
_LAST_USED_RESOLUTION = timedelta(minutes=1)


def actor_for_key(api_key: ApiKey, revisions: Revisions | None = None) -> Actor:
    if api_key.is_vendor:
        return Actor(tenant=Tenant.for_vendor(), api_key=api_key, label=f"api key {api_key.prefix}…")
    # A reseller key may do what a reseller admin may do.
    return Actor(
        tenant=Tenant.for_reseller(api_key.reseller, revisions),
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
            # Conditional, so processes that read the same old value write it once between them.
            stale = Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - _LAST_USED_RESOLUTION)
            ApiKey.objects.filter(stale, pk=api_key.pk).update(last_used_at=now)
        return actor_for_key(api_key, usable_revisions(request, api_key.revisions))


class PerKeyRateThrottle(BaseThrottle):
    """N requests per period per API key (PARTNERDESK_API_RATE, default 100/s), counted in the
    store every app process shares (core/ratelimit.py).

    ninja keeps one instance for all threads and asks ``wait()`` right after a refusal, in the
    same thread: the wait is kept per thread, not on the instance."""

    def __init__(self) -> None:
        self._parsed: tuple[str, int, int] | None = None
        self._refused = threading.local()

    def _rate(self) -> tuple[int, int]:
        # Read per request, so the rate can be changed without rebuilding the API.
        rate = settings.API_RATE
        if self._parsed is None or self._parsed[0] != rate:
            parsed = SimpleRateThrottle(rate)  # ninja's rate syntax: "100/s", "5/m", …
            self._parsed = (rate, parsed.num_requests, parsed.duration)
        return self._parsed[1], self._parsed[2]

    def allow_request(self, request: HttpRequest) -> bool:
        actor = getattr(request, "auth", None)
        if not isinstance(actor, Actor) or actor.api_key is None:
            return True
        count, period = self._rate()
        # The hash, not the pk: a pk can be reused after a rollback, a key hash never is.
        decision = rate_limit_take(key=actor.api_key.key_hash, count=count, period_seconds=period)
        self._refused.wait = decision.retry_after
        return decision.allowed

    def wait(self) -> float | None:
        return getattr(self._refused, "wait", None)
