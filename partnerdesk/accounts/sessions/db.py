"""Django's database session engine, on :class:`~partnerdesk.accounts.models.Session`: each
load reads the session with its user, memberships and revision numbers in one statement
(``selectors.session_read``), kept as ``signed_in`` for the sign-in (backends.py) and the
console (web/console.py)."""

from __future__ import annotations

from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends import db
from django.utils import timezone

from partnerdesk.accounts.selectors import SignedIn, session_read


class SessionStore(db.SessionStore):
    signed_in: SignedIn | None = None

    @classmethod
    def get_model_class(cls):
        from partnerdesk.accounts.models import Session

        return Session

    def create_model_instance(self, data):
        session = super().create_model_instance(data)
        session.user_id = _user_id(data)
        return session

    def _get_session_from_db(self):
        self.signed_in = session_read(self.session_key, timezone.now())
        if self.signed_in is None:
            self._session_key = None  # as Django does: a new session gets a new key
            return None
        return self.signed_in.session


def _user_id(data: dict) -> int | None:
    try:
        return int(data[SESSION_KEY])
    except (KeyError, TypeError, ValueError):
        return None
