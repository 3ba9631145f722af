"""The PostgreSQL backend's health check (core/postgresql_backend/base.py): a kept connection
is checked without a round trip, and one the server has ended is still found and replaced."""

from __future__ import annotations

import psycopg
import pytest
from django.db import close_old_connections, connection

pytestmark = [pytest.mark.postgresql_only, pytest.mark.django_db(transaction=True)]


def server_pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def end_on_the_server(pid: int) -> None:
    """Terminate that backend from a connection of its own, as a server restart or an
    administrator would, and wait until it is gone."""
    params = connection.get_connection_params()
    with psycopg.connect(**{k: v for k, v in params.items() if k != "cursor_factory"}, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s, 5000)", [pid])


class StatementLog:
    """Records what the health check sends through the raw psycopg connection."""

    def __init__(self, raw) -> None:
        self.sent: list[str] = []
        self._cursor = raw.cursor
        raw.cursor = self.cursor

    def cursor(self, *args, **kwargs):
        cursor = self._cursor(*args, **kwargs)
        execute = cursor.execute

        def logged(query, *rest, **more):
            self.sent.append(str(query))
            return execute(query, *rest, **more)

        cursor.execute = logged
        return cursor


def test_an_idle_healthy_connection_is_checked_without_a_query():
    server_pid()  # connected, idle
    log = StatementLog(connection.connection)
    assert connection.is_usable()
    assert log.sent == []


def test_a_connection_the_server_ended_is_replaced_before_the_next_request_uses_it():
    assert connection.health_check_enabled
    first = server_pid()
    end_on_the_server(first)
    close_old_connections()  # what Django does when a request starts
    assert server_pid() != first  # a new connection, no error


def test_after_an_error_the_check_asks_the_server():
    server_pid()
    log = StatementLog(connection.connection)
    connection.errors_occurred = True
    assert connection.is_usable()
    assert log.sent == ["SELECT 1"]
    connection.errors_occurred = False
