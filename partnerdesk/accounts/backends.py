"""Django's and allauth's authentication backends, loading the signed-in user of every request
with a fixed statement (core/rows.py) instead of an ORM query."""

from __future__ import annotations

from functools import cache

from allauth.account import auth_backends
from django.contrib.auth import backends

from partnerdesk.accounts.models import User
from partnerdesk.core import rows


def _user(user_id) -> User | None:
    try:
        found = rows.fetch(_user_sql(), [int(user_id)])
    except (TypeError, ValueError):
        return None
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
