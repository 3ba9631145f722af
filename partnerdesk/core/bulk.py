"""Inserting many rows fast, for changes made in bulk (the billing run).

``QuerySet.bulk_create`` compiles every value of every row through the ORM's
expression machinery; for the billing run's tens of thousands of ledger entries,
invoices, lines, audit entries, events and e-mails that costs more than the rest of the
run. :func:`insert_rows` prepares each value the way a save does (``pre_save`` fills
public ids, ``get_db_prep_save`` adapts dates, decimals and JSON), but skips that work for
the plain values (strings, integers, booleans, None) that a save passes on unchanged,
and sends one ``executemany`` (or, when the ids are wanted, multi-row ``INSERT …
RETURNING``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

from django.db import connection, models, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Model
from django.db.models.base import ModelState

# Field types whose database value is the Python value itself when it has one of these
# exact types (what ``get_db_prep_save`` would return unchanged on SQLite and PostgreSQL).
_PASSED_AS_IS: dict[str, tuple[type, ...]] = {
    "CharField": (str,),
    "TextField": (str,),
    "SlugField": (str,),
    "BooleanField": (bool,),
    **{
        name: (int,)
        for name in (
            "IntegerField",
            "BigIntegerField",
            "SmallIntegerField",
            "PositiveIntegerField",
            "PositiveBigIntegerField",
            "PositiveSmallIntegerField",
        )
    },
}


class _Blueprint:
    """What :func:`unsaved` needs to know about a model, worked out once."""

    def __init__(self, model: type[Model]) -> None:
        fields = [f for f in model._meta.concrete_fields if not getattr(f, "generated", False)]
        self.defaults = [(f.attname, f.get_default) for f in fields]
        self.attnames = {f.attname for f in fields}
        self.relations = {f.name: f.attname for f in fields if f.is_relation}


_BLUEPRINTS: dict[type[Model], _Blueprint] = {}
M = TypeVar("M", bound=Model)


def unsaved(model: type[M], **values: Any) -> M:
    """``model(**values)`` for rows made by the ten thousand (the billing run): the same
    instance, without the general constructor's per-field keyword handling and init
    signals (nothing here listens to them), which cost more than inserting the row.
    ``values`` name fields by attname (``reseller_id``) or pass related objects by name."""
    blueprint = _BLUEPRINTS.get(model) or _BLUEPRINTS.setdefault(model, _Blueprint(model))
    obj = model.__new__(model)
    obj._state = ModelState()
    attrs = obj.__dict__
    for attname, default in blueprint.defaults:
        if attname not in values:
            attrs[attname] = default()
    for name, value in values.items():
        if name in blueprint.relations:
            attrs[blueprint.relations[name]] = None if value is None else value.pk
            obj._state.fields_cache[name] = value
        elif name in blueprint.attnames:
            attrs[name] = value
        else:
            raise TypeError(f"{model.__name__} has no field {name!r}")
    return obj


def value_preparer(field: models.Field, db: BaseDatabaseWrapper) -> Callable[[Any], Any]:
    """A function giving the database value of a value of ``field``, as a save would."""
    prep = field.get_db_prep_save
    if isinstance(field, models.DateTimeField):
        adapt = db.ops.adapt_datetimefield_value

        def prepared_datetime(value: Any) -> Any:
            # An aware datetime is what get_prep_value would hand on unchanged.
            if type(value) is datetime and value.utcoffset() is not None:
                return adapt(value)
            return prep(value, db)

        return prepared_datetime
    target = field.target_field if field.is_relation else field
    plain = (*_PASSED_AS_IS.get(target.get_internal_type(), ()), type(None))
    if isinstance(target, models.AutoField | models.BigAutoField | models.SmallAutoField):
        plain = (int, type(None))
    return lambda value: value if type(value) in plain else prep(value, db)


def _preparer(field: models.Field, db: BaseDatabaseWrapper) -> Callable[[Model], Any]:
    """A function giving ``field``'s database value for an unsaved object."""
    prepare = value_preparer(field, db)
    if type(field).pre_save is not models.Field.pre_save and not (
        isinstance(field, models.DateField) and not (field.auto_now or field.auto_now_add)
    ):  # public ids, auto_now dates
        pre_save = field.pre_save
        return lambda obj: prepare(pre_save(obj, True))
    attname = field.attname
    return lambda obj: prepare(getattr(obj, attname))


def insert_rows(objs: list[Model], *, returning_ids: bool = False) -> None:
    """Insert unsaved ``objs`` (all of one model). With ``returning_ids`` each object gets
    its primary key back, as from ``bulk_create``; otherwise nothing is read back."""
    if not objs:
        return
    meta = type(objs[0])._meta
    fields = [field for field in meta.concrete_fields if not field.primary_key]
    db = transaction.get_connection()  # the connection itself, not the per-call proxy
    preparers = [_preparer(field, db) for field in fields]
    rows = [[prepare(obj) for prepare in preparers] for obj in objs]
    table = connection.ops.quote_name(meta.db_table)
    columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    row_sql = f"({', '.join(['%s'] * len(fields))})"
    with connection.cursor() as cursor:
        if not returning_ids:
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES {row_sql}", rows)
            return
        # Multi-row INSERT … RETURNING gives the ids in VALUES order on PostgreSQL and
        # SQLite (bulk_create relies on the same); chunked under the parameter limit.
        per_statement = max(1, (connection.features.max_query_params or 65535) // len(fields))
        pk = connection.ops.quote_name(meta.pk.column)
        for start in range(0, len(rows), per_statement):
            chunk = rows[start : start + per_statement]
            values = ", ".join([row_sql] * len(chunk))
            cursor.execute(
                f"INSERT INTO {table} ({columns}) VALUES {values} RETURNING {pk}",
                [value for row in chunk for value in row],
            )
            for obj, (new_id,) in zip(objs[start : start + per_statement], cursor.fetchall(), strict=True):
                obj.pk = new_id
                obj._state.adding = False
                obj._state.db = connection.alias
