"""Reads for accounts: resolving API keys and memberships."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cache

from partnerdesk.accounts import apikeys
from partnerdesk.accounts.models import ApiKey, Reseller, ResellerMembership, User
from partnerdesk.core import rows
from partnerdesk.core.actors import Revisions, Tenant
from partnerdesk.revisions.selectors import parse_revisions, revisions_column


def apikey_authenticate(secret: str) -> ApiKey | None:
    """The live key matching ``secret``, or None. Looked up by hash: the plain key is never stored.

    Every API request: one fixed statement (core/rows.py) reads the key, its reseller and the
    revision numbers of that reseller's data, kept as ``api_key.revisions`` (revisions/cache.py).
    """
    if not secret or not secret.startswith(apikeys.KEY_PREFIX) or len(secret) > 100:
        return None
    found = rows.fetch(_apikey_sql(), [apikeys.hash_key(secret)])
    if not found:
        return None
    row = found[0]
    api_key = rows.instance(ApiKey, row)
    reseller = rows.instance(Reseller, row, rows.width(ApiKey)) if api_key.reseller_id else None
    rows.cache_related(api_key, "reseller", reseller)
    api_key.revisions = parse_revisions(row[-1])
    return api_key


@cache
def _apikey_sql() -> str:
    return (
        f"SELECT {rows.columns(ApiKey, 'k')}, {rows.columns(Reseller, 'r')}, "
        f"{revisions_column('SELECT k.reseller_id')} FROM accounts_apikey k "
        "LEFT JOIN accounts_reseller r ON r.id = k.reseller_id WHERE k.key_hash = %s AND k.revoked_at IS NULL"
    )


@dataclass(frozen=True)
class SignedIn:
    """What a console request needs besides its session's data, read with the session."""

    session_data: str  # the session's signed data, as Django's session store decodes it
    user: User | None  # the session's user, if signed in (Django still checks it: backends.py)
    memberships: list[ResellerMembership]  # as active_memberships() gives them
    revisions: Revisions  # of the catalog, of all the user's resellers and their sub-resellers


def session_read(session_key: str, now: datetime) -> SignedIn | None:
    """The live session ``session_key``'s data with its user, the user's memberships of active
    resellers (each with its reseller) and the revision numbers of what they see: one fixed
    statement (core/rows.py), a row per membership. Every console request starts with it.
    Only the data of the session row: Django's store reads nothing else of it on a load."""
    found = rows.fetch(_session_sql(), [session_key, rows.datetime_param(now)])
    if not found:
        return None
    first = found[0]
    user_at = 1  # after the session's data
    membership_at = user_at + rows.width(User)
    reseller_at = membership_at + rows.width(ResellerMembership)
    status_at = reseller_at + _reseller_status_column()
    memberships = []
    for row in found:
        # Resellers' status here, not in the join: each membership is then found by the user's
        # index (a join with the condition inside made SQLite read every membership).
        if row[membership_at] is not None and row[status_at] == Reseller.Status.ACTIVE:
            membership = rows.instance(ResellerMembership, row, membership_at)
            rows.cache_related(membership, "reseller", rows.instance(Reseller, row, reseller_at))
            memberships.append(membership)
    return SignedIn(
        session_data=first[0],
        user=rows.instance(User, first, user_at) if first[user_at] is not None else None,
        memberships=memberships,
        revisions=parse_revisions(first[-1]),
    )


@cache
def _reseller_status_column() -> int:
    return [field.attname for field in Reseller._meta.concrete_fields].index("status")


@cache
def _session_sql() -> str:
    resellers = "SELECT o.reseller_id FROM accounts_resellermembership o WHERE o.user_id = s.user_id"
    return (
        f"SELECT s.session_data, {rows.columns(User, 'u')}, "
        f"{rows.columns(ResellerMembership, 'm')}, {rows.columns(Reseller, 'r')}, {revisions_column(resellers)} "
        "FROM accounts_session s LEFT JOIN accounts_user u ON u.id = s.user_id "
        "LEFT JOIN accounts_resellermembership m ON m.user_id = s.user_id "
        "LEFT JOIN accounts_reseller r ON r.id = m.reseller_id "
        "WHERE s.session_key = %s AND s.expire_date > %s ORDER BY m.created_at, m.id"
    )


def active_memberships(user_id: int) -> list[ResellerMembership]:
    """The user's memberships of active resellers, oldest first, each with its reseller, as a
    fixed statement (core/rows.py). Console requests have them from session_read already."""
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
