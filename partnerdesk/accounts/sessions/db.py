from __future__ import annotations

from functools import cache

from django.contrib.sessions.backends import db
from django.utils import timezone

from partnerdesk.core import rows


class SessionStore(db.SessionStore):
    def _get_session_from_db(self):
        found = rows.fetch(_session_sql(self.model), [self.session_key, rows.datetime_param(timezone.now())])
        if not found:
            self._session_key = None  # as Django does: a new session gets a new key
            return None
        return rows.instance(self.model, found[0])


@cache
def _session_sql(model) -> str:
    return (
        f"SELECT {rows.columns(model, 's')} FROM {model._meta.db_table} s "
        "WHERE s.session_key = %s AND s.expire_date > %s"
    )
