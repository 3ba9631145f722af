"""Django's database session engine, on :class:`~partnerdesk.accounts.models.Session`: each
load reads the session with its user, memberships and revision numbers in one statement
(``selectors.session_read``), kept as ``signed_in`` for the sign-in (backends.py) and the
console (web/console.py).

A session's data is signed, and checking the signature and unpacking it was a sixth of a
cached console page. The same data is read on every request of a session until it changes:
each process keeps what it verified, by the exact signed text (any change to it is a new key;
a text that fails is never kept and goes through Django's own check, which logs it).
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends import db
from django.utils import timezone

from partnerdesk.accounts.selectors import SignedIn, session_read

# A few hundred bytes each: at most about 2 MB a process.
MAX_VERIFIED = 5000

_verified: OrderedDict[tuple[str, str], str] = OrderedDict()
_lock = threading.Lock()


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
        # The secret is part of the key: data verified under a secret since replaced is not.
        key = (settings.SECRET_KEY, session_data)
        with _lock:
            text = _verified.get(key)
            if text is not None:
                _verified.move_to_end(key)
        if text is not None:
            # Kept as JSON (what the signed data holds: SESSION_SERIALIZER), so each request
            # gets its own dicts and lists to change.
            return json.loads(text)
        data = super().decode(session_data)
        if data:  # {} is also what a failed check gives
            with _lock:
                _verified[key] = json.dumps(data)
                while len(_verified) > MAX_VERIFIED:
                    _verified.popitem(last=False)
        return data


def _user_id(data: dict) -> int | None:
    try:
        return int(data[SESSION_KEY])
    except (KeyError, TypeError, ValueError):
        return None
