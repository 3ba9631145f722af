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
from psycopg.pq import TransactionStatus


class DatabaseOperations(operations.DatabaseOperations):
    def last_executed_query(self, cursor, sql, params):
        if isinstance(cursor, psycopg.ClientCursor):
            return super().last_executed_query(cursor, sql, params)
        # A binding cursor's statement has its values apart: logged as Django logs those.
        try:
            return self.compose_sql(sql, params)
        except psycopg.errors.DataError:
            return sql


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations

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
            # As Django's create_cursor(): datetimes in the connection's time zone.
            loader = self.connection.adapters.get_loader(base.TIMESTAMPTZ_OID, base.Format.TEXT)
            if self.timezone != loader.timezone:
                base.register_tzloader(self.timezone, cursor)
            return self._prepare_cursor(cursor)
