"""Django's SQLite backend, with a flush that may empty append-only tables, and writers that
take turns through a lock file rather than SQLite's growing busy sleeps.

Flush: SQLite triggers cannot tell a deliberate "empty the database" (``flush``, used by
``partnerdesk demo --reset`` and the test runner) from a stray DELETE. PostgreSQL's
flush uses TRUNCATE, which row triggers ignore; here the flush raises the database's
``user_version`` to FLUSHING for its duration, and the triggers let that through.

Writers: every transaction begins IMMEDIATE (settings/base.py), so one writer at a time holds
the database. A writer that finds it held is left to SQLite's busy handler, which sleeps 1, 2,
5, 10, 15, 20, 25 … 100 ms between tries: with two app processes taking turns (the seat top-up
under load), the waiting one oversleeps the other's 5-10 ms transaction, or wakes just after it
has taken the lock again. So before BEGIN each
connection takes an exclusive ``flock`` on ``<database>-writers`` and releases it at COMMIT or
ROLLBACK; a waiter retries after 50 µs, then at most every 200 µs (at most every millisecond, it
overslept a 2 ms top-up's turn by half a millisecond on average: a fifth of the writers' time;
the tries cost a waiting process about 2 % of a core). It changes nothing about what is locked,
only how quickly the next writer notices the turn is free; like SQLite's, the wait gives up with
"database is locked" after the configured timeout.

Checkpoints: SQLite copies the log (WAL) back into the database inside the COMMIT that fills it
past 1,000 pages, so with the turn held every other writer waited for it too (a seat top-up: 13
rows, 50 pages of log; every 20th commit took 3-8 ms more, 30 % of all commit time). So a
transaction turns SQLite's automatic checkpoint off for its commit; after the commit has given up
the turn, the connection runs a PASSIVE checkpoint (it waits for no reader or writer) once it has
changed CHECKPOINT_AFTER_ROWS rows since its last one, about the same 1,000 pages for the top-up.
Writes outside a transaction (autocommit) hold no turn and keep SQLite's own checkpoint.
"""

from __future__ import annotations

import fcntl
import os
import time
from contextlib import suppress

from django.db.backends.sqlite3 import base, creation, operations

FLUSHING = 7001
_LONGEST_NAP = 0.0002
CHECKPOINT_AFTER_ROWS = 250


class DatabaseOperations(operations.DatabaseOperations):
    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        statements = super().sql_flush(style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade)
        if not statements:
            return statements
        return [f"PRAGMA user_version = {FLUSHING}", *statements, "PRAGMA user_version = 0"]


def writers_lock_path(database: str) -> str:
    return f"{database}-writers"


class DatabaseCreation(creation.DatabaseCreation):
    def _destroy_test_db(self, test_database_name, verbosity):
        super()._destroy_test_db(test_database_name, verbosity)
        if test_database_name and not self.is_in_memory_db(test_database_name):
            with suppress(FileNotFoundError):
                os.remove(writers_lock_path(test_database_name))


# Statements converted to SQLite's placeholders, per process (see SQLiteCursorWrapper).
_converted: dict[str, str] = {}
_MAX_CONVERTED = 4096


class SQLiteCursorWrapper(base.SQLiteCursorWrapper):
    """Django's cursor, converting each statement's ``%s`` placeholders to ``?`` once per
    process instead of at every execute: Django's regular expression takes 17 µs for a 1 kB
    statement, more than SQLite takes to run a primary-key lookup."""

    def convert_query(self, query, *, param_names=None):
        if param_names is not None:
            return super().convert_query(query, param_names=param_names)
        converted = _converted.get(query)
        if converted is None:
            converted = super().convert_query(query)
            if len(_converted) < _MAX_CONVERTED:  # statements are a few hundred shapes, not unbounded
                _converted[query] = converted
        return converted


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations
    creation_class = DatabaseCreation

    def create_cursor(self, name=None):
        return self.connection.cursor(factory=SQLiteCursorWrapper)

    _writers_fd: int | None = None
    _writers_pid = 0
    _has_turn = False
    _rows_at_checkpoint = 0  # the connection's total_changes at its last checkpoint

    def get_new_connection(self, conn_params):
        self._rows_at_checkpoint = 0  # a new connection counts its changes from zero
        return super().get_new_connection(conn_params)

    def _queues_writers(self) -> bool:
        return self.transaction_mode in ("IMMEDIATE", "EXCLUSIVE") and not self.is_in_memory_db()

    def _take_turn(self) -> None:
        # Opened per process: a descriptor inherited through fork would share its lock.
        if self._writers_fd is None or self._writers_pid != os.getpid():
            path = writers_lock_path(str(self.settings_dict["NAME"]))
            self._writers_fd, self._writers_pid = os.open(path, os.O_RDWR | os.O_CREAT, 0o600), os.getpid()
        deadline = time.monotonic() + float(self.settings_dict.get("OPTIONS", {}).get("timeout", 5))
        nap = 0.00005
        while True:
            try:
                fcntl.flock(self._writers_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise self.Database.OperationalError("database is locked") from None
                time.sleep(nap)
                nap = min(nap * 2, _LONGEST_NAP)
            else:
                self._has_turn = True
                return

    def _end_turn(self) -> None:
        if self._has_turn:
            self._has_turn = False
            fcntl.flock(self._writers_fd, fcntl.LOCK_UN)

    def _start_transaction_under_autocommit(self):
        if not self._queues_writers():
            return super()._start_transaction_under_autocommit()
        with self.wrap_database_errors:
            self._take_turn()
        try:
            self.connection.execute("PRAGMA wal_autocheckpoint=0")  # this commit's is after the turn
            super()._start_transaction_under_autocommit()
        except BaseException:
            self._end_turn()
            raise

    def _commit(self):
        try:
            super()._commit()
        finally:
            self._end_turn()
        self._after_turn(checkpoint=True)

    def _rollback(self):
        try:
            return super()._rollback()
        finally:
            self._end_turn()
            self._after_turn(checkpoint=False)

    def _after_turn(self, *, checkpoint: bool) -> None:
        connection = self.connection
        if connection is None or not self._queues_writers() or connection.in_transaction:
            return
        # Never an error for the transaction, which is over: a checkpoint that a reader or
        # another checkpoint is in the way of only leaves more for the next one.
        with suppress(self.Database.Error):
            if checkpoint and connection.total_changes - self._rows_at_checkpoint >= CHECKPOINT_AFTER_ROWS:
                self._rows_at_checkpoint = connection.total_changes
                connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
            connection.execute("PRAGMA wal_autocheckpoint=1000")  # SQLite's default, for autocommit writes

    def _close(self):
        try:
            return super()._close()
        finally:
            self._end_turn()
            if self._writers_fd is not None and self._writers_pid == os.getpid():
                os.close(self._writers_fd)
            self._writers_fd = None
