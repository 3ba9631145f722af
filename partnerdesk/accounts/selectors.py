"""Reads for accounts: resolving API keys and memberships."""

from __future__ import annotations

from functools import cache

from partnerdesk.accounts import apikeys
from partnerdesk.accounts.models import ApiKey, Reseller, ResellerMembership, User
from partnerdesk.core import rows
from partnerdesk.core.actors import Tenant


def apikey_authenticate(secret: str) -> ApiKey | None:
    """The live key matching ``secret``, or None. Looked up by hash: the plain key is never stored."""
    if not secret or not secret.startswith(apikeys.KEY_PREFIX) or len(secret) > 100:
        return None
    # Every API request: a fixed statement (core/rows.py), the key with its reseller.
    found = rows.fetch(_apikey_sql(), [apikeys.hash_key(secret)])
    if not found:
        return None
    api_key = rows.instance(ApiKey, found[0])
    reseller = rows.instance(Reseller, found[0], rows.width(ApiKey)) if api_key.reseller_id else None
    rows.cache_related(api_key, "reseller", reseller)
    return api_key


@cache
def _apikey_sql() -> str:
    return (
        f"SELECT {rows.columns(ApiKey, 'k')}, {rows.columns(Reseller, 'r')} FROM accounts_apikey k "
        "LEFT JOIN accounts_reseller r ON r.id = k.reseller_id WHERE k.key_hash = %s AND k.revoked_at IS NULL"
    )


def active_memberships(user_id: int) -> list[ResellerMembership]:
    """The user's memberships of active resellers, oldest first, each with its reseller: read
    by every console page, so a fixed statement (core/rows.py)."""
    width = rows.width(ResellerMembership)
    memberships = []
    for row in rows.fetch(_memberships_sql(), [user_id, Reseller.Status.ACTIVE]):
        membership = rows.instance(ResellerMembership, row)
        rows.cache_related(membership, "reseller", rows.instance(Reseller, row, width))
        memberships.append(membership)
    return memberships


@cache
def _memberships_sql() -> str:
    return (
        f"SELECT {rows.columns(ResellerMembership, 'm')}, {rows.columns(Reseller, 'r')} "
        "FROM accounts_resellermembership m JOIN accounts_reseller r ON r.id = m.reseller_id "
        "WHERE m.user_id = %s AND r.status = %s ORDER BY m.created_at, m.id"
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
