"""Reads of the revision numbers."""

from __future__ import annotations

from django.db import connection

from partnerdesk.core.actors import Revisions

# One query: the catalog's number, the reseller's and its sub-resellers' (a distributor's
# pages show theirs). Plain SQL: it runs before every cached page and costs less than
# building the ORM query.
_REVISIONS_SQL = (
    "SELECT scope, number FROM revisions_revision WHERE scope = 'catalog' OR scope = %s "
    "OR scope IN (SELECT 'reseller:' || id FROM accounts_reseller WHERE parent_id = %s) ORDER BY scope"
)


def reseller_revision(reseller_id: int) -> Revisions:
    """What has to change for anything this reseller sees to change: every scope's number.
    Numbers only grow, so the same tuple means the same data."""
    with connection.cursor() as cursor:
        cursor.execute(_REVISIONS_SQL, [f"reseller:{reseller_id}", reseller_id])
        return tuple(cursor.fetchall())


def revisions_column(reseller_ids: str) -> str:
    """A scalar subquery for the statement a request starts with (its API key's, its
    session's): the numbers of the catalog, of the resellers ``reseller_ids`` selects (a
    SELECT of one column, which may refer to the outer statement) and of their sub-resellers,
    as one text value for :func:`parse_revisions`. For those resellers it gives what
    :func:`reseller_revision` gives, read with no round trip of its own."""
    pair = "v.scope || '=' || v.number"
    joined = f"string_agg({pair}, ',')" if connection.vendor == "postgresql" else f"group_concat({pair}, ',')"
    return (
        f"(SELECT {joined} FROM revisions_revision v WHERE v.scope = 'catalog' "
        f"OR v.scope IN (SELECT 'reseller:' || r.id FROM accounts_reseller r WHERE r.id IN ({reseller_ids})) "
        f"OR v.scope IN (SELECT 'reseller:' || r.id FROM accounts_reseller r WHERE r.parent_id IN ({reseller_ids})))"
    )


def parse_revisions(text: str | None) -> Revisions:
    """The pairs a :func:`revisions_column` holds, by scope as :func:`reseller_revision` gives them."""
    if not text:
        return ()
    pairs = (part.rsplit("=", 1) for part in text.split(","))
    return tuple(sorted((scope, int(number)) for scope, number in pairs))
