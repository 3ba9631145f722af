"""Django's middleware for the console's sessions, language, CSRF and messages, passed by for
the API (sign-in too: accounts/middleware.py).

The API authenticates each request by its key and answers JSON in English: it reads no
session, cookie or Accept-Language, sets no cookie and shows no messages (core/api/auth.py).
Run for every API request anyway, these cost about a sixth of a cached list request.
Each is Django's own class, called as before for every other path. (allauth's middleware
stays as it is: allauth refuses to start without it under its own name.)
"""

from __future__ import annotations

from django.contrib.messages import middleware as messages_middleware
from django.contrib.sessions import middleware as sessions_middleware
from django.http import HttpRequest
from django.middleware import csrf, locale

API_PREFIX = "/api/"


def is_api(request: HttpRequest) -> bool:
    return request.path_info.startswith(API_PREFIX)


class ConsoleOnly:
    """For a middleware class: its request and response handling skipped for the API."""

    def __call__(self, request: HttpRequest):
        if is_api(request):
            return self.get_response(request)
        return super().__call__(request)


class SessionMiddleware(ConsoleOnly, sessions_middleware.SessionMiddleware):
    pass


class LocaleMiddleware(ConsoleOnly, locale.LocaleMiddleware):
    pass


class CsrfViewMiddleware(ConsoleOnly, csrf.CsrfViewMiddleware):
    def process_view(self, request, callback, callback_args, callback_kwargs):
        if is_api(request):
            return None  # the API's views are exempt; its requests never ran process_request
        return super().process_view(request, callback, callback_args, callback_kwargs)


class MessageMiddleware(ConsoleOnly, messages_middleware.MessageMiddleware):
    pass
