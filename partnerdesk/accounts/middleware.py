"""Django's authentication middleware, with ``request.user`` taken from the statement that
reads the session (backends.signed_in_user); passed by for the API like the rest of the
console's middleware (core/middleware.py)."""

from __future__ import annotations

from django.contrib.auth import middleware
from django.utils.functional import SimpleLazyObject

from partnerdesk.accounts.backends import signed_in_user
from partnerdesk.core.middleware import ConsoleOnly


class AuthenticationMiddleware(ConsoleOnly, middleware.AuthenticationMiddleware):
    def process_request(self, request):
        super().process_request(request)
        request.user = SimpleLazyObject(lambda: signed_in_user(request))
