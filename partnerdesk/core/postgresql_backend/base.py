"""Django's PostgreSQL backend, with a connection health check that costs no round trip.

With ``CONN_HEALTH_CHECKS`` Django checks a kept connection before each request's first query
by running ``SELECT 1``: one more round trip per request, as many as a cached page's own queries.
An idle connection's socket has nothing to read unless the server has written something it
was not asked for: the notice and end of a terminated backend, a restart's goodbye, or an
end-of-file. So a socket with nothing to read is usable; one with something to read gets
Django's ``SELECT 1``, which reads it and tells. After a query error (``errors_occurred``), or
inside a transaction, Django's check runs as before.
"""

from __future__ import annotations

import select

from django.db.backends.postgresql import base
from psycopg.pq import TransactionStatus


class DatabaseWrapper(base.DatabaseWrapper):
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
