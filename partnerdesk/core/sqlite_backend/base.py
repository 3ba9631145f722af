"""Django's SQLite backend, with a flush that may empty append-only tables.

SQLite triggers cannot tell a deliberate "empty the database" (``flush``, used by
``partnerdesk demo --reset`` and the test runner) from a stray DELETE. PostgreSQL's
flush uses TRUNCATE, which row triggers ignore; here the flush raises the database's
``user_version`` to FLUSHING for its duration, and the triggers let that through.
"""

from django.db.backends.sqlite3 import base, operations

FLUSHING = 7001


class DatabaseOperations(operations.DatabaseOperations):
    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        statements = super().sql_flush(style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade)
        if not statements:
            return statements
        return [f"PRAGMA user_version = {FLUSHING}", *statements, "PRAGMA user_version = 0"]


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations
