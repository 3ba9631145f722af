"""On PostgreSQL, trigram indexes so that searching customers by part of their name, e-mail or
domain (``ILIKE '%…%'``, Django's ``icontains``) uses an index instead of reading
every row. Needs the pg_trgm extension; where the database user may not create it, the
index is skipped with a warning (search still works, only slower)."""

import logging

from django.db import migrations

logger = logging.getLogger(__name__)

# The columns the customer search reads (customers.selectors.customer_list).
INDEXES = {
    "customer_company_name_trgm": "company_name",
    "customer_contact_email_trgm": "contact_email",
    "customer_domain_trgm": "domain",
}


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
        if cursor.fetchone() is None:
            try:
                cursor.execute("SAVEPOINT pg_trgm_try")
                cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
                cursor.execute("RELEASE SAVEPOINT pg_trgm_try")
            except Exception:  # noqa: BLE001 - no privilege: run without the index
                cursor.execute("ROLLBACK TO SAVEPOINT pg_trgm_try")
                logger.warning("pg_trgm is not available; customer search will not use an index")
                return
        for name, column in INDEXES.items():
            cursor.execute(
                f"CREATE INDEX IF NOT EXISTS {name} ON customers_customer USING gin (UPPER({column}) gin_trgm_ops)"
            )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name in INDEXES:
            schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("customers", "0002_customermembership")]
    operations = [migrations.RunPython(forwards, backwards)]
