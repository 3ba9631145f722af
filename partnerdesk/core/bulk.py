"""Writing many rows fast, for changes made in bulk (the billing run).

``Model(...)`` and ``QuerySet.bulk_create``/``bulk_update`` run every value of every row
through the ORM's general machinery; for the billing run's tens of thousands of invoices,
lines, audit entries, events and e-mails that cost more than the rest of the run.

- :func:`unsaved` builds the same instance as ``Model(**values)``, without that cost;
- :func:`prepared_rows` gives the values a save would send (``pre_save`` fills public
  ids; ``get_db_prep_save`` only where it would change a value);
- :func:`insert_rows` and :func:`update_rows` send them in one ``executemany`` (a few rows: in
  one statement);
- :func:`pipelined` sends a transaction's statements without waiting for answers nobody reads;
- :func:`known_related` lets an instance answer the related rows just written without a query.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from decimal import Decimal
from operator import attrgetter
from typing import Any, TypeVar

from django.db import connection, models, transaction
from django.db.models import Model
from django.db.models.base import ModelState
from django.db.models.signals import post_init, pre_init

# Field types whose database value is the Python value itself when it is an instance
# of one of these types (what ``get_db_prep_save`` hands on unchanged on SQLite and
# PostgreSQL: CharField.to_python keeps any str, choices members included; the integer
# fields would turn a bool into an int, so they take exactly int).
_STRINGS = ("CharField", "TextField", "SlugField", "EmailField")
_INTEGERS = (
    "IntegerField",
    "BigIntegerField",
    "SmallIntegerField",
    "PositiveIntegerField",
    "PositiveBigIntegerField",
    "PositiveSmallIntegerField",
    "AutoField",
    "BigAutoField",
    "SmallAutoField",
)


class _Blueprint:
    """What :func:`unsaved` needs to know about a model, worked out once."""

    def __init__(self, model: type[Model]) -> None:
        fields = [f for f in model._meta.concrete_fields if not getattr(f, "generated", False)]
        # Defaults that are values are worked out once (the constructor hands out the same
        # object each time too); callables (timezone.now, dict) are called per instance.
        made = [f for f in fields if f.has_default() and callable(f.default)]
        self.constants = {f.attname: f.get_default() for f in fields if f not in made}
        self.factories = [(f.attname, f.default) for f in made]
        self.attnames = {f.attname for f in fields}
        # A model someone listens to at init gets the real constructor, signals and all.
        self.listened_to = pre_init.has_listeners(model) or post_init.has_listeners(model)
        self.relations = {f.name: f.attname for f in fields if f.is_relation}


_BLUEPRINTS: dict[type[Model], _Blueprint] = {}
M = TypeVar("M", bound=Model)


def unsaved(model: type[M], **values: Any) -> M:
    """``model(**values)`` for rows made by the ten thousand (the billing run): the same
    instance, without the general constructor's per-field keyword handling and init
    signals (used only for models nobody listens to at init), which cost more than
    inserting the row.
    ``values`` name fields by attname (``reseller_id``) or pass related objects by name."""
    blueprint = _BLUEPRINTS.get(model) or _BLUEPRINTS.setdefault(model, _Blueprint(model))
    if blueprint.listened_to:
        return model(**values)
    obj = model.__new__(model)
    obj._state = ModelState()
    attrs = obj.__dict__
    attrs.update(blueprint.constants)
    for attname, default in blueprint.factories:
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


class _RowPlan:
    """How :func:`prepared_rows` treats each of a list of fields, worked out once per list (a
    single change's one-row inserts would otherwise spend more on this than on the row)."""

    def __init__(self, fields: list[models.Field], *, adding: bool) -> None:
        self.fields = fields  # kept: the plans are found by the fields' ids
        self.pre_savers = [
            f
            for f in fields
            if adding
            and type(f).pre_save is not models.Field.pre_save
            and not (isinstance(f, models.DateField) and not (f.auto_now or f.auto_now_add))
        ]
        self.strings, self.integers, self.booleans, self.datetimes, self.decimals, self.others = [], [], [], [], [], []
        for i, field in enumerate(fields):
            kind = (field.target_field if field.is_relation else field).get_internal_type()
            prep = field.get_db_prep_save
            if kind in _STRINGS:
                self.strings.append((i, prep))
            elif kind in _INTEGERS:
                self.integers.append((i, prep))
            elif kind == "BooleanField":
                self.booleans.append((i, prep))
            elif kind == "DateTimeField":
                self.datetimes.append((i, prep))
            elif kind == "DecimalField":
                self.decimals.append((i, prep, field.max_digits, field.decimal_places))
            else:
                self.others.append((i, prep))
        names = [f.attname for f in fields]
        self.getter = attrgetter(*names) if len(names) > 1 else (lambda obj: (getattr(obj, names[0]),))


_ROW_PLANS: dict[tuple, _RowPlan] = {}


def prepared_rows(objs: list[Model], fields: list[models.Field], *, adding: bool = False) -> list[list[Any]]:
    """The database values of ``fields`` of each of ``objs``, as a save would send them.

    Plain values (strings, integers, booleans, None, aware datetimes, finite Decimals)
    take a short way; everything else goes through the field's ``get_db_prep_save``.
    ``adding``: run the fields' ``pre_save`` first, as an insert does (public ids, auto_now
    dates)."""
    db = transaction.get_connection()  # the connection itself, not the per-call proxy
    adapt_datetime = db.ops.adapt_datetimefield_value
    adapt_decimal = db.ops.adapt_decimalfield_value
    seen_datetimes: dict[datetime, Any] = {}
    key = (adding, *map(id, fields))
    plan = _ROW_PLANS.get(key) or _ROW_PLANS.setdefault(key, _RowPlan(fields, adding=adding))
    pre_savers, getter = plan.pre_savers, plan.getter
    strings, integers, booleans, datetimes, decimals, others = (
        plan.strings,
        plan.integers,
        plan.booleans,
        plan.datetimes,
        plan.decimals,
        plan.others,
    )
    rows = []
    for obj in objs:
        for field in pre_savers:
            field.pre_save(obj, True)
        row = list(getter(obj))
        for i, prep in strings:
            if not (row[i] is None or isinstance(row[i], str)):
                row[i] = prep(row[i], db)
        for i, prep in integers:
            if not (row[i] is None or type(row[i]) is int):
                row[i] = prep(row[i], db)
        for i, prep in booleans:
            if not (row[i] is None or type(row[i]) is bool):
                row[i] = prep(row[i], db)
        for i, prep in datetimes:
            value = row[i]
            if type(value) is datetime and value.utcoffset() is not None:  # aware: get_prep_value keeps it
                # A batch repeats a few instants (now, period ends) thousands of times.
                adapted = seen_datetimes.get(value)
                if adapted is None:
                    adapted = seen_datetimes[value] = adapt_datetime(value)
                row[i] = adapted
            elif value is not None:
                row[i] = prep(value, db)
        for i, prep, digits, places in decimals:
            value = row[i]
            if type(value) is Decimal and value.is_finite():  # what to_python would make of it
                row[i] = adapt_decimal(value, digits, places)
            elif value is not None:
                row[i] = prep(value, db)
        for i, prep in others:
            row[i] = prep(row[i], db)
        rows.append(row)
    return rows


@contextmanager
def _bulk_cursor() -> Iterator[Any]:
    """A cursor for one statement over many rows. On PostgreSQL the driver's server-side
    binding cursor: Django's client-side binding quotes every value into the SQL text in
    Python; this one sends the values apart, and psycopg prepares the statement once."""
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            yield cursor
        return
    import psycopg

    connection.ensure_connection()
    # Errors as Django's (IntegrityError and the rest), as from any other query: callers rely
    # on the database's uniqueness rules (an invoice line billed twice) raising them.
    with connection.wrap_database_errors, psycopg.Cursor(connection.connection) as cursor:
        yield cursor


@contextmanager
def pipelined() -> Iterator[None]:
    """A block of a transaction whose statements, on PostgreSQL, go out without waiting for
    their answers (psycopg's pipeline mode): those come back with the next statement whose
    rows are read, or at the end of the block. Rows written and never read back (a top-up's
    seat change, invoice lines, audit entries, events) then cost no round trip each; reads
    work as outside it. A statement's error surfaces at that next read or at the end of the
    block, still inside the transaction and as Django's error, and rolls it back as usual.
    So nothing in the block may fail on purpose and carry on (a savepoint rolled back after
    an IntegrityError, as ``get_or_create`` does on a race): after an error PostgreSQL skips
    the pipeline's statements up to its end, the rollback to the savepoint too. Such races
    are settled in one statement instead (``ON CONFLICT``). Elsewhere (SQLite) the block
    runs as it is."""
    db = transaction.get_connection()
    if not db.in_atomic_block:
        raise RuntimeError("pipelined() must run inside a transaction")
    if db.vendor != "postgresql" or db.connection.pgconn.pipeline_status:
        yield  # SQLite, or a block already pipelined
        return
    with db.wrap_database_errors, db.connection.pipeline():
        yield


def update_rows(objs: list[Model], names: list[str]) -> None:
    """Write the fields ``names`` of every one of ``objs`` (saved, all of one model) in one
    ``executemany`` (``bulk_update`` builds a CASE expression per field and row, which
    costs more than the whole rest of a billing-run batch)."""
    if not objs:
        return
    meta = type(objs[0])._meta
    fields = [meta.get_field(name) for name in names]
    table = connection.ops.quote_name(meta.db_table)
    assignments = ", ".join(f"{connection.ops.quote_name(f.column)} = %s" for f in fields)
    pk = connection.ops.quote_name(meta.pk.column)
    rows = [[*values, obj.pk] for obj, values in zip(objs, prepared_rows(objs, fields), strict=True)]
    with _bulk_cursor() as cursor:
        if len(rows) == 1:  # a single change's row (the top-up's seats): not a one-row pipeline
            cursor.execute(f"UPDATE {table} SET {assignments} WHERE {pk} = %s", rows[0])
        else:
            cursor.executemany(f"UPDATE {table} SET {assignments} WHERE {pk} = %s", rows)


_INSERTS: dict[tuple[type[Model], str], tuple[list[models.Field], str, str, str, str]] = {}


def _insert_parts(model: type[Model], db: Any) -> tuple[list[models.Field], str, str, str, str]:
    """A model's INSERT statement in parts (fields, table, columns, one row's placeholders,
    primary key column), worked out once per model and database."""
    key = (model, db.vendor)
    parts = _INSERTS.get(key)
    if parts is None:
        meta = model._meta
        fields = [field for field in meta.concrete_fields if not field.primary_key]
        columns = ", ".join(db.ops.quote_name(field.column) for field in fields)
        row_sql = f"({', '.join(['%s'] * len(fields))})"
        table, pk = db.ops.quote_name(meta.db_table), db.ops.quote_name(meta.pk.column)
        parts = _INSERTS[key] = (fields, table, columns, row_sql, pk)
    return parts


# Up to this many rows, one INSERT of several VALUES rows is cheaper on PostgreSQL than
# psycopg's pipelined executemany (about half, with RETURNING); beyond it the statement's
# parameters cost more than the pipeline.
_FEW_ROWS = 5


def insert_rows(objs: list[Model], *, returning_ids: bool = False) -> None:
    """Insert unsaved ``objs`` (all of one model). With ``returning_ids`` each object gets
    its primary key back, as from ``bulk_create``; otherwise nothing is read back."""
    if not objs:
        return
    db = transaction.get_connection()  # the connection itself, not the per-call proxy
    fields, table, columns, row_sql, pk = _insert_parts(type(objs[0]), db)
    rows = prepared_rows(objs, fields, adding=True)
    if returning_ids and not db.in_atomic_block:
        raise RuntimeError("insert_rows(returning_ids=True) must run inside a transaction")
    with _bulk_cursor() as cursor:
        if len(rows) == 1 or (db.vendor == "postgresql" and len(rows) <= _FEW_ROWS):
            # A single change's rows (its invoice, ledger entry, audit entries, events): one
            # statement of a VALUES row each. psycopg's executemany pipelines even one row, which
            # costs more than the rows themselves (PostgreSQL's RETURNING gives the ids in the
            # order of the VALUES, as bulk_create relies on).
            values = ", ".join([row_sql] * len(rows))
            params = [value for row in rows for value in row]
            if not returning_ids:
                cursor.execute(f"INSERT INTO {table} ({columns}) VALUES {values}", params)
                return
            cursor.execute(f"INSERT INTO {table} ({columns}) VALUES {values} RETURNING {pk}", params)
            _set_ids(objs, [found[0] for found in cursor.fetchall()])
            return
        if not returning_ids:
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES {row_sql}", rows)
            return
        if db.vendor == "postgresql":
            # psycopg sends the rows in one pipeline and gives each row's result back in
            # order; one statement of that many rows would cost more to build than to run.
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES {row_sql} RETURNING {pk}", rows, returning=True)
            ids = []
            while True:
                ids.append(cursor.fetchone()[0])
                if not cursor.nextset():
                    break
            _set_ids(objs, ids)
            return
        # SQLite: this transaction holds the database's only write lock, so the new rows
        # take consecutive rowids ending at last_insert_rowid() (AUTOINCREMENT: always above
        # every id ever used). Checked before anything relies on it.
        cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES {row_sql}", rows)
        cursor.execute("SELECT last_insert_rowid()")
        (last,) = cursor.fetchone()
        first = last - len(rows) + 1
        cursor.execute(f"SELECT COUNT(*) FROM {table} WHERE {pk} BETWEEN %s AND %s", [first, last])
        if cursor.fetchone()[0] != len(rows):
            raise RuntimeError(f"rows inserted into {table} did not get consecutive ids")
        _set_ids(objs, list(range(first, last + 1)))


def _set_ids(objs: list[Model], ids: list[int]) -> None:
    for obj, new_id in zip(objs, ids, strict=True):
        obj.pk = new_id
        obj._state.adding = False
        obj._state.db = connection.alias


def known_related(obj: Model, name: str, related: list[Model]) -> None:
    """Let ``obj.<name>.all()`` answer ``related`` without a query, as ``prefetch_related``
    would have left it: for rows this transaction has just written (an invoice's lines),
    which the caller renders next. ``related`` must be all of them, in the model's order."""
    manager = getattr(obj, name)
    queryset = manager.get_queryset()
    queryset._result_cache = list(related)
    queryset._prefetch_done = True
    obj._prefetched_objects_cache = getattr(obj, "_prefetched_objects_cache", {})
    obj._prefetched_objects_cache[manager.field.remote_field.cache_name] = queryset
