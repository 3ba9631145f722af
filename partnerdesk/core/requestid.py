"""The id of the request being served, for logs and audit entries."""

from __future__ import annotations

import contextvars
import uuid

_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")


def current_request_id() -> str:
    return _request_id.get()


class RequestIdMiddleware:
    """Takes a sane incoming X-Request-ID or makes one, and echoes it on the response."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        value = incoming if incoming.isascii() and 0 < len(incoming) <= 64 and incoming.isprintable() else ""
        token = _request_id.set(value or uuid.uuid4().hex)
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = _request_id.get()
            return response
        finally:
            _request_id.reset(token)
