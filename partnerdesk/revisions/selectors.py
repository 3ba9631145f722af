"""Reads of the revision numbers."""

from __future__ import annotations

from django.db import connection

# One query: the catalog's number, the reseller's and its sub-resellers' (a distributor's
# pages show theirs). Plain SQL: it runs before every cached page and costs less than
# building the ORM query.
_REVISIONS_SQL = (
    "SELECT scope, number FROM revisions_revision WHERE scope = 'catalog' OR scope = %s "
    "OR scope IN (SELECT 'reseller:' || id FROM accounts_reseller WHERE parent_id = %s) ORDER BY scope"
)


def reseller_revision(reseller_id: int) -> tuple[tuple[str, int], ...]:
    """What has to change for anything this reseller sees to change: every scope's number.
    Numbers only grow, so the same tuple means the same data."""
    with connection.cursor() as cursor:
        cursor.execute(_REVISIONS_SQL, [f"reseller:{reseller_id}", reseller_id])
        return tuple(cursor.fetchall())
