"""Reads of the revision numbers."""

from __future__ import annotations

from functools import cache

from django.db import connection

from partnerdesk.core import rows
from partnerdesk.core.actors import Revisions


def reseller_revision(reseller_id: int) -> Revisions:
    """What has to change for anything this reseller sees to change: the numbers of the
    catalog, the reseller and its sub-resellers (a distributor's pages show theirs). Numbers
    only grow, so the same tuple means the same data. One fixed statement (core/rows.py)."""
    (found,) = rows.fetch(_reseller_revision_sql(), [reseller_id, reseller_id])
    return parse_revisions(found[0])


@cache
def _reseller_revision_sql() -> str:
    return f"SELECT {revisions_column('SELECT x.id FROM accounts_reseller x WHERE x.id = %s')}"


def revisions_column(reseller_ids: str) -> str:
    """A scalar subquery for the statement a request starts with (its API key's, its
    session's): the numbers of the catalog, of the resellers ``reseller_ids`` selects (a
    SELECT of one column, which may refer to the outer statement) and of their sub-resellers,
    as one text value for :func:`parse_revisions`. For those resellers it gives what
    :func:`reseller_revision` gives, read with no round trip of its own. Each number is found
    by its scope's key (a condition with OR would read the whole table: a row per reseller)."""
    pair = "v.scope || '=' || v.number"
    joined = "string_agg(pair, ',')" if connection.vendor == "postgresql" else "group_concat(pair, ',')"
    by_scope = "JOIN revisions_revision v ON v.scope = 'reseller:' || r.id"
    return (
        f"(SELECT {joined} FROM ("
        f"SELECT {pair} AS pair FROM revisions_revision v WHERE v.scope = 'catalog' "
        f"UNION ALL SELECT {pair} FROM accounts_reseller r {by_scope} WHERE r.id IN ({reseller_ids}) "
        f"UNION ALL SELECT {pair} FROM accounts_reseller r {by_scope} WHERE r.parent_id IN ({reseller_ids})"
        ") numbers)"
    )


def parse_revisions(text: str | None) -> Revisions:
    """The pairs a :func:`revisions_column` holds, by scope as :func:`reseller_revision` gives them."""
    if not text:
        return ()
    # A reseller both chosen and the sub-reseller of one chosen comes twice: once here.
    pairs = dict(part.rsplit("=", 1) for part in text.split(","))
    return tuple(sorted((scope, int(number)) for scope, number in pairs.items()))
