"""The triggers that bump revisions (models.py), for SQLite and PostgreSQL.

SQLite has one writer at a time: each changed row bumps its scope at once, inside the
writing transaction. PostgreSQL runs writers side by side and the bump locks the revision
row until commit; so the bump is a deferred constraint trigger, run at commit, once per scope
and transaction (a transaction-local marker). Taken last, the revision locks never wait in
the middle of a transaction for a lock another transaction holds in the opposite order (the
invoice counter, subscription rows), and are held only while committing.
"""

from __future__ import annotations

from django.db import migrations

# table -> how its rows name the reseller(s) whose data they are (NEW/OLD are filled in).
RESELLER_TABLES = {
    "subscriptions_subscription": ["{row}.reseller_id"],
    "customers_customer": ["{row}.reseller_id"],
    # A renamed or moved sub-reseller changes what its distributor sees too.
    "accounts_reseller": ["{row}.id", "{row}.parent_id"],
    # The dashboard's chart is rebuilt from the ledger (migration 0002).
    "subscriptions_seatledgerentry": [
        "(SELECT s.reseller_id FROM subscriptions_subscription s WHERE s.id = {row}.subscription_id)"
    ],
}
CATALOG_TABLES = ["catalog_product", "catalog_plan"]
FIRST_TABLES = ["subscriptions_subscription", "customers_customer", "accounts_reseller", *CATALOG_TABLES]


def _sqlite_upsert(scope_sql: str) -> str:
    # INSERT … SELECT … WHERE, not VALUES: a NULL reseller (a vendor's own customer) bumps nothing.
    return (
        f"INSERT INTO revisions_revision (scope, number) SELECT {scope_sql}, 1 WHERE {scope_sql} IS NOT NULL "
        "ON CONFLICT (scope) DO UPDATE SET number = number + 1;"
    )


def _sqlite(table: str, scopes: dict[str, list[str]]) -> list[str]:
    statements = []
    for operation, rows in scopes.items():
        body = " ".join(_sqlite_upsert(scope) for scope in rows)
        statements.append(
            f"CREATE TRIGGER revisions_{table}_{operation.lower()} AFTER {operation} ON {table} BEGIN {body} END"
        )
    return statements


def _reseller_scopes(table: str) -> dict[str, list[str]]:
    def scopes(row: str) -> list[str]:
        return [f"'reseller:' || {column.format(row=row)}" for column in RESELLER_TABLES[table]]

    return {"INSERT": scopes("NEW"), "UPDATE": scopes("NEW") + scopes("OLD"), "DELETE": scopes("OLD")}


_CATALOG_SCOPES = {operation: ["'catalog'"] for operation in ("INSERT", "UPDATE", "DELETE")}

_POSTGRES_BUMP = """
CREATE OR REPLACE FUNCTION revisions_bump(target text) RETURNS void AS $$
DECLARE
    marker text := 'partnerdesk_revision.' || replace(target, ':', '_');
BEGIN
    IF target IS NULL OR current_setting(marker, true) = '1' THEN
        RETURN;
    END IF;
    PERFORM set_config(marker, '1', true);
    INSERT INTO revisions_revision (scope, number) VALUES (target, 1)
    ON CONFLICT (scope) DO UPDATE SET number = revisions_revision.number + 1;
END $$ LANGUAGE plpgsql
"""


def _postgres(table: str, scopes: dict[str, list[str]]) -> list[str]:
    def bumps(operation: str) -> str:
        return " ".join(f"PERFORM revisions_bump({scope});" for scope in scopes[operation])

    function = f"revisions_{table}"
    return [
        f"""CREATE OR REPLACE FUNCTION {function}() RETURNS trigger AS $$
            BEGIN
                IF TG_OP = 'INSERT' THEN {bumps("INSERT")}
                ELSIF TG_OP = 'UPDATE' THEN {bumps("UPDATE")}
                ELSE {bumps("DELETE")}
                END IF;
                RETURN NULL;
            END $$ LANGUAGE plpgsql""",
        f"""CREATE CONSTRAINT TRIGGER {function} AFTER INSERT OR UPDATE OR DELETE ON {table}
            DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION {function}()""",
    ]


def create(vendor: str, tables: list[str], *, with_function: bool = False) -> list[str]:
    scopes = {table: _CATALOG_SCOPES if table in CATALOG_TABLES else _reseller_scopes(table) for table in tables}
    if vendor == "sqlite":
        return [sql for table in tables for sql in _sqlite(table, scopes[table])]
    if vendor == "postgresql":
        function = [_POSTGRES_BUMP] if with_function else []
        return function + [sql for table in tables for sql in _postgres(table, scopes[table])]
    raise NotImplementedError(f"revision triggers for {vendor}")


def drop(vendor: str, tables: list[str], *, with_function: bool = False) -> list[str]:
    if vendor == "sqlite":
        return [
            f"DROP TRIGGER IF EXISTS revisions_{table}_{operation}"
            for table in tables
            for operation in ("insert", "update", "delete")
        ]
    statements = [
        sql
        for table in tables
        for sql in (
            f"DROP TRIGGER IF EXISTS revisions_{table} ON {table}",
            f"DROP FUNCTION IF EXISTS revisions_{table}()",
        )
    ]
    return [*statements, "DROP FUNCTION IF EXISTS revisions_bump(text)"] if with_function else statements


def make_triggers(tables: list[str], *, with_function: bool = False) -> migrations.RunPython:
    """The migration operation that adds (and on reversal drops) the triggers of ``tables``."""

    def forwards(apps, schema_editor):
        for sql in create(schema_editor.connection.vendor, tables, with_function=with_function):
            schema_editor.execute(sql)

    def backwards(apps, schema_editor):
        for sql in drop(schema_editor.connection.vendor, tables, with_function=with_function):
            schema_editor.execute(sql)

    return migrations.RunPython(forwards, backwards)
