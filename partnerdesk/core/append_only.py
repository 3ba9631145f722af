"""Database triggers that make a table append-only: UPDATE and DELETE are refused.

Used by the seat ledger and the audit log, whose whole point is that history cannot be
rewritten, not even by a bug or a hand-written SQL statement. Emptying the whole
database (flush) stays possible: TRUNCATE on PostgreSQL, see sqlite_backend on SQLite.
"""

from __future__ import annotations

from django.db import migrations

from partnerdesk.core.sqlite_backend.base import FLUSHING


def _statements(vendor: str, table: str) -> list[str]:
    if vendor == "postgresql":
        return [
            f"""CREATE OR REPLACE FUNCTION {table}_append_only() RETURNS trigger AS $$
                BEGIN RAISE EXCEPTION '{table} is append-only'
                USING ERRCODE = 'integrity_constraint_violation'; END; $$ LANGUAGE plpgsql""",
            f"""CREATE TRIGGER {table}_no_update BEFORE UPDATE OR DELETE ON {table}
                FOR EACH ROW EXECUTE FUNCTION {table}_append_only()""",
        ]
    if vendor == "sqlite":
        return [
            f"""CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table}
                BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END""",
            f"""CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table}
                WHEN (SELECT user_version FROM pragma_user_version) != {FLUSHING}
                BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END""",
        ]
    raise NotImplementedError(f"append-only triggers for {vendor}")


def _drop(vendor: str, table: str) -> list[str]:
    if vendor == "postgresql":
        return [
            f"DROP TRIGGER IF EXISTS {table}_no_update ON {table}",
            f"DROP FUNCTION IF EXISTS {table}_append_only()",
        ]
    return [f"DROP TRIGGER IF EXISTS {table}_no_update", f"DROP TRIGGER IF EXISTS {table}_no_delete"]


def make_append_only(table: str) -> migrations.RunPython:
    def forwards(apps, schema_editor):
        for sql in _statements(schema_editor.connection.vendor, table):
            schema_editor.execute(sql)

    def backwards(apps, schema_editor):
        for sql in _drop(schema_editor.connection.vendor, table):
            schema_editor.execute(sql)

    return migrations.RunPython(forwards, backwards)
