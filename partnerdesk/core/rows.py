"""Model instances from hand-written SELECTs, for the few lookups every request makes.

Building an ORM query costs about 0.3 ms of Python for a primary-key lookup and 0.8 ms for a
join, more than running it: for the session, the signed-in user, the console's memberships and
the API key, that was most of a cached page's time. These functions read the same rows with
a fixed statement and build the same instances the ORM would (``Model.from_db``, related
objects cached as ``select_related`` caches them); each use has a test comparing the two.
"""

from __future__ import annotations

from functools import cache

from django.db import DEFAULT_DB_ALIAS, connection, connections, models


@cache
def columns(model: type[models.Model], alias: str) -> str:
    """The model's columns, in ``from_db`` order, as ``alias.column`` SQL."""
    quote = connection.ops.quote_name
    return ", ".join(f"{alias}.{quote(field.column)}" for field in model._meta.concrete_fields)


@cache
def _attnames(model: type[models.Model]) -> list[str]:
    return [field.attname for field in model._meta.concrete_fields]


@cache
def _converters(model: type[models.Model]) -> list[tuple[int, list, object]]:
    """The database's value converters per column, as the ORM's compiler applies them
    (SQLite's text timestamps to aware datetimes, its integers to booleans, …)."""
    found = []
    for index, field in enumerate(model._meta.concrete_fields):
        column = field.get_col(model._meta.db_table)
        converters = connection.ops.get_db_converters(column) + column.get_db_converters(connection)
        if converters:
            found.append((index, converters, column))
    return found


def instance(model: type[models.Model], row: tuple | list, start: int = 0) -> models.Model:
    """The instance for ``row[start:]`` (selected with ``columns(model, …)``)."""
    names = _attnames(model)
    values = list(row[start : start + len(names)])
    for index, converters, column in _converters(model):
        for converter in converters:
            values[index] = converter(values[index], column, connection)
    # The rows here are always read on ``connection``: its alias without asking it (each
    # attribute of the ``connection`` proxy is a context-local lookup, some 2 µs).
    return model.from_db(DEFAULT_DB_ALIAS, names, values)


def width(model: type[models.Model]) -> int:
    return len(_attnames(model))


def fetch(sql: str, params: list) -> list[tuple]:
    with cursor() as found:
        found.execute(sql, params)
        return found.fetchall()


def cursor():
    """A cursor for statements written once in code. On PostgreSQL one that binds the values
    on the server, so the statement is prepared there after its first runs on a connection
    (core/postgresql_backend); Django's own cursor elsewhere."""
    db = connections[DEFAULT_DB_ALIAS]  # the ``connection`` proxy once, not per attribute
    return db.binding_cursor() if db.vendor == "postgresql" else db.cursor()


def cache_related(obj: models.Model, field_name: str, related: models.Model | None) -> None:
    """Keep ``related`` as ``obj.<field_name>``, as ``select_related`` does."""
    obj._meta.get_field(field_name).set_cached_value(obj, related)


def datetime_param(value):
    """A datetime as the ORM passes it to this database (SQLite: UTC text)."""
    return connection.ops.adapt_datetimefield_value(value)
