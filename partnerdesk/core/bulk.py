"""Inserting many rows fast, for changes made in bulk (the billing run).

``QuerySet.bulk_create`` compiles every value of every row through the ORM's
expression machinery; for the billing run's tens of thousands of ledger entries,
invoice lines, audit entries and e-mails that costs more than the rest of the run.
:func:`insert_rows` prepares each value the same way a save does (``pre_save`` fills
public ids, ``get_db_prep_save`` adapts dates, decimals and JSON) and sends one
``executemany``. It does not read primary keys back: use ``bulk_create`` for rows that
others point to.
"""

from __future__ import annotations

from django.db import connection
from django.db.models import Model


def insert_rows(objs: list[Model]) -> None:
    if not objs:
        return
    meta = type(objs[0])._meta
    fields = [field for field in meta.concrete_fields if not field.primary_key]
    columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    rows = [[field.get_db_prep_save(field.pre_save(obj, True), connection) for field in fields] for obj in objs]
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {connection.ops.quote_name(meta.db_table)} ({columns}) VALUES ({placeholders})", rows
        )
