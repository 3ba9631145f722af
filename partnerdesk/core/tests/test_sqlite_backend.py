"""SQLite writers take turns through a lock file (core/sqlite_backend/base.py): held from BEGIN
to COMMIT or ROLLBACK, given up with "database is locked" after the timeout, as SQLite would."""

from __future__ import annotations

import fcntl
import os
import threading

import pytest
from django.db import OperationalError, connection, connections, transaction

from partnerdesk.core.sqlite_backend.base import writers_lock_path

pytestmark = pytest.mark.sqlite_only


def turn_is_free() -> bool:
    """Whether another process could start writing now (a separate descriptor, as it would have)."""
    fd = os.open(writers_lock_path(connection.settings_dict["NAME"]), os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    finally:
        os.close(fd)  # closing releases the lock if it was taken
    return True


@pytest.mark.django_db(transaction=True)
def test_a_transaction_holds_the_turn_until_it_commits_or_rolls_back():
    assert turn_is_free()
    with transaction.atomic():
        assert not turn_is_free()
        with transaction.atomic():  # a savepoint takes nothing more
            assert not turn_is_free()
        assert not turn_is_free()
    assert turn_is_free()
    with pytest.raises(ZeroDivisionError), transaction.atomic():
        assert not turn_is_free()
        1 / 0  # noqa: B018
    assert turn_is_free()
    connection.close()
    assert turn_is_free()


@pytest.mark.django_db(transaction=True)
def test_a_writer_waits_for_the_turn_and_goes_on_when_it_is_free():
    release = threading.Event()
    order: list[str] = []

    def other_writer() -> None:
        try:
            with transaction.atomic():
                order.append("other began")
        finally:
            connections.close_all()

    with transaction.atomic():
        order.append("first began")
        thread = threading.Thread(target=other_writer)
        thread.start()
        release.wait(0.2)  # give the other writer time to (wrongly) begin
        order.append("first commits")
    thread.join(timeout=30)
    assert order == ["first began", "first commits", "other began"]


@pytest.mark.django_db(transaction=True)
def test_waiting_for_the_turn_gives_up_after_the_timeout(monkeypatch):
    fd = os.open(writers_lock_path(connection.settings_dict["NAME"]), os.O_RDWR | os.O_CREAT)
    fcntl.flock(fd, fcntl.LOCK_EX)  # another process is writing
    monkeypatch.setitem(connection.settings_dict["OPTIONS"], "timeout", 0.05)
    try:
        with pytest.raises(OperationalError, match="database is locked"), transaction.atomic():
            pass
        assert not connection.in_atomic_block
    finally:
        os.close(fd)
    with transaction.atomic():  # free again
        pass


@pytest.mark.django_db
def test_every_commit_is_fsynced():
    # FULL (2): an invoice number e-mailed after its commit is on disk (README, "Durability").
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA synchronous")
        assert cursor.fetchone() == (2,)


@pytest.mark.django_db
def test_placeholders_are_converted_as_django_converts_them_once_per_statement():
    from django.db.backends.sqlite3.base import SQLiteCursorWrapper as DjangosCursor

    from partnerdesk.core.sqlite_backend import base

    statement = "SELECT 1 WHERE 'a%%' LIKE %s AND x = %s"
    with connection.cursor() as cursor:
        wrapper = cursor.cursor
        assert isinstance(wrapper, base.SQLiteCursorWrapper)
        assert wrapper.convert_query(statement) == DjangosCursor.convert_query(wrapper, statement)
        assert base._converted[statement] == "SELECT 1 WHERE 'a%' LIKE ? AND x = ?"
        named = wrapper.convert_query("x = %(a)s", param_names=["a"])
        assert named == "x = :a"
        cursor.execute("SELECT %s || '%%'", ["50"])  # still runs as before
        assert cursor.fetchone() == ("50%",)


@pytest.mark.django_db(transaction=True)
def test_the_log_is_checkpointed_after_the_writers_turn_not_inside_it(reseller):
    from partnerdesk.accounts.models import Reseller
    from partnerdesk.core.sqlite_backend.base import CHECKPOINT_AFTER_ROWS

    def automatic_checkpoint() -> int:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_autocheckpoint")
            return cursor.fetchone()[0]

    with transaction.atomic():
        assert automatic_checkpoint() == 0  # SQLite's own, inside the COMMIT, is off
    assert automatic_checkpoint() == 1000  # and on again for writes outside a transaction

    def write(transactions: int) -> None:
        for _ in range(transactions):  # ten updates (and their triggers' rows) at a time
            with transaction.atomic():
                for _ in range(10):
                    Reseller.objects.filter(pk=reseller.pk).update(name="Isar Systemhaus GmbH")

    transactions = CHECKPOINT_AFTER_ROWS // 10 + 1
    write(2 * transactions)
    connection.close()  # a new connection counts its rows from zero again
    connection.ensure_connection()
    seen: list[tuple[str, bool]] = []
    connection.connection.set_trace_callback(
        lambda statement: seen.append((statement, turn_is_free())) if "wal_checkpoint" in statement else None
    )
    try:
        write(transactions)
    finally:
        connection.connection.set_trace_callback(None)
    # Now and then, never with the turn held.
    assert 1 <= len(seen) < transactions / 4
    assert all(statement == "PRAGMA wal_checkpoint(PASSIVE)" and free for statement, free in seen)
