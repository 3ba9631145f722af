"""Reads for accounts: resolving API keys and memberships."""

from __future__ import annotations

from partnerdesk.accounts import apikeys
from partnerdesk.accounts.models import ApiKey, Reseller, ResellerMembership, User
from partnerdesk.core.actors import Tenant


def apikey_authenticate(secret: str) -> ApiKey | None:
    """The live key matching ``secret``, or None. Looked up by hash: the plain key is never stored."""
    if not secret or not secret.startswith(apikeys.KEY_PREFIX) or len(secret) > 100:
        return None
    return (
        ApiKey.objects.select_related("reseller")
        .filter(key_hash=apikeys.hash_key(secret), revoked_at__isnull=True)
        .first()
    )


def reseller_get_by_name(name: str) -> Reseller | None:
    return Reseller.objects.filter(name__iexact=name.strip()).first()


def memberships_of(user: User) -> list[ResellerMembership]:
    return list(user.reseller_memberships.select_related("reseller").order_by("reseller__name"))


def team_list(tenant: Tenant) -> list[ResellerMembership]:
    """The reseller's team, owners first. Only a reseller tenant has a team."""
    if tenant.reseller is None:
        return []
    order = {"owner": 0, "admin": 1, "billing": 2, "viewer": 3}
    rows = ResellerMembership.objects.filter(reseller=tenant.reseller).select_related("user")
    return sorted(rows, key=lambda row: (order[row.role], row.user.email))
