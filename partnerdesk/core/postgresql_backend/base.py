"""Django's PostgreSQL backend, with a health check that costs no round trip and a cursor for
the fixed statements that PostgreSQL keeps planned.

Health check: with ``CONN_HEALTH_CHECKS`` Django checks a kept connection before each
request's first query by running ``SELECT 1``: one more round trip per request, as many as a
cached page's own queries. An idle connection's socket has nothing to read unless the server
has written something it was not asked for: the notice and end of a terminated backend, a
restart's goodbye, or an end-of-file. So a socket with nothing to read is usable; one with
something to read gets Django's ``SELECT 1``, which reads it and tells. After a query error
(``errors_occurred``), or inside a transaction, Django's check runs as before.

Binding cursor: Django's cursors quote the values into the SQL text, so every statement is
new to the server and planned again. :meth:`DatabaseWrapper.binding_cursor` sends the values
apart (psycopg's server-side binding); psycopg prepares a statement once it has run
``prepare_threshold`` times on the connection (settings/base.py), and the server then runs it
without parsing or planning it. It is for the statements written once in code (core/rows.py,
core/bulk.py), which every request or row runs again; the ORM keeps Django's cursor.
"""

from __future__ import annotations

import select

import psycopg
from django.db.backends.postgresql import base, operations
from psycopg.pq import Format, TransactionStatus


class DatabaseOperations(operations.DatabaseOperations):
    def last_executed_query(self, cursor, sql, params):
        if isinstance(cursor, psycopg.ClientCursor):
            return super().last_executed_query(cursor, sql, params)
        # A binding cursor's statement has its values apart: logged as Django logs those.
        try:
            return self.compose_sql(sql, params)
        except psycopg.errors.DataError:
            return sql


class _JsonbAsText(psycopg.adapt.Loader):
    """jsonb in binary as the text Django's JSONField decodes itself (Django registers the same
    for text results); binary jsonb is a version byte, then the text."""

    format = Format.BINARY

    def load(self, data) -> str:
        if data and data[0] != 1:
            raise psycopg.DataError(f"unknown jsonb binary format: {data[0]}")
        return bytes(data[1:]).decode()


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations

    def get_new_connection(self, conn_params):
        connection = super().get_new_connection(conn_params)
        connection.adapters.register_loader("jsonb", _JsonbAsText)  # for binding_cursor's rows
        return connection

    def is_usable(self) -> bool:
        connection = self.connection
        if connection is None or connection.closed:
            return False
        if self.errors_occurred or connection.info.transaction_status != TransactionStatus.IDLE:
            return super().is_usable()
        try:
            readable, _, _ = select.select([connection.fileno()], [], [], 0)
        except (OSError, ValueError):
            return False
        return not readable or super().is_usable()

    def binding_cursor(self):
        """A cursor like :meth:`cursor` (the same checks, error wrapping and query log) that
        binds its values on the server."""
        self.close_if_health_check_failed()
        self.ensure_connection()
        with self.wrap_database_errors:
            cursor = base.ServerBindingCursor(self.connection)
            # Rows in binary: no text to parse (a fifth of the client's time for a wide row).
            # Values come as Django's own cursor gives them: timestamps in the connection's
            # time zone (UTC, set by Django), jsonb as text (_JsonbAsText).
            cursor.format = Format.BINARY
            return self._prepare_cursor(cursor)
