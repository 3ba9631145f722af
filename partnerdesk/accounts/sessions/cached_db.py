from __future__ import annotations

from django.contrib.sessions.backends import cached_db

from partnerdesk.accounts.sessions import db


class SessionStore(cached_db.SessionStore):
    _get_session_from_db = db.SessionStore._get_session_from_db
