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
