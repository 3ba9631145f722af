"""Django's database session engine, on :class:`~partnerdesk.accounts.models.Session`: each
load reads the session with its user, memberships and revision numbers in one statement
(``selectors.session_read``), kept as ``signed_in`` for the sign-in (backends.py) and the
console (web/console.py).

A session's data is signed, and checking the signature and unpacking it was a sixth of a
cached console page. The same data is read on every request of a session until it changes:
each process keeps what it verified, by the secret and the exact signed text (any change to it
is a new key; a text that fails is never kept and goes through Django's own check, which logs it).
"""

from __future__ import annotations

import json
from functools import lru_cache

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends import db
from django.core import signing
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

    def load(self):
        self.signed_in = session_read(self.session_key, timezone.now())
        if self.signed_in is None:
            self._session_key = None  # as Django does: a new session gets a new key
            return {}
        return self.decode(self.signed_in.session_data)

    def decode(self, session_data):
        try:
            # As JSON (what the signed data holds: SESSION_SERIALIZER), so each request gets
            # its own dicts and lists to change.
            return json.loads(_verified(settings.SECRET_KEY, self.key_salt, self.serializer, session_data))
        except Exception:
            return super().decode(session_data)  # Django's own check: logs a bad signature, gives {}


@lru_cache(maxsize=5000)  # a few hundred bytes each: at most about 2 MB a process
def _verified(secret: str, salt: str, serializer: type, session_data: str) -> str:
    """The session data signed with ``secret``, as JSON; raises when the check fails (and an
    exception is not kept)."""
    return json.dumps(signing.loads(session_data, key=secret, salt=salt, serializer=serializer))


def _user_id(data: dict) -> int | None:
    try:
        return int(data[SESSION_KEY])
    except (KeyError, TypeError, ValueError):
        return None
