"""Django's and allauth's authentication backends, taking the signed-in user from the statement
that read the session (sessions/db.py) instead of a query of its own.

Django's ``auth.get_user(request)`` still does all the checking (the backend, the session's
password hash, ``is_active``); only ``get_user(user_id)`` is replaced. It has no request, so
:func:`signed_in_user`, which the middleware (middleware.py) calls for ``request.user``, lends
it the request's session for the duration.
"""

from __future__ import annotations

from contextvars import ContextVar
from functools import cache

from allauth.account import auth_backends
from django.contrib import auth
from django.contrib.auth import backends

from partnerdesk.accounts.models import User
from partnerdesk.core import rows

_session_signing_in: ContextVar = ContextVar("session_signing_in", default=None)


def signed_in_user(request):
    """``request.user``: Django's ``auth.get_user(request)``, once per request."""
    if not hasattr(request, "_cached_user"):
        token = _session_signing_in.set(request.session)
        try:
            request._cached_user = auth.get_user(request)
        finally:
            _session_signing_in.reset(token)
    return request._cached_user


def _user(user_id) -> User | None:
    try:
        user_id = int(user_id)
    except (TypeError, ValueError):
        return None
    signed_in = getattr(_session_signing_in.get(), "signed_in", None)
    if signed_in is not None and signed_in.user is not None and signed_in.user.pk == user_id:
        return signed_in.user
    found = rows.fetch(_user_sql(), [user_id])
    return rows.instance(User, found[0]) if found else None


@cache
def _user_sql() -> str:
    return f"SELECT {rows.columns(User, 'u')} FROM {User._meta.db_table} u WHERE u.id = %s"


class ModelBackend(backends.ModelBackend):
    def get_user(self, user_id):
        user = _user(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None


class AuthenticationBackend(auth_backends.AuthenticationBackend):
    get_user = ModelBackend.get_user
