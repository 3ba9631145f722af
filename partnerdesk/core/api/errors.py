"""Every failure under /api/ answers in API.md's error shape, never an HTML page.

``{"error": {"type": T, "message": "...", "param": "field or null"}}``
"""

from __future__ import annotations

import json
import logging

from django.http import HttpRequest, HttpResponse, JsonResponse
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError

from partnerdesk.core.errors import DomainError

logger = logging.getLogger("partnerdesk.api")

STATUS_FOR_CODE = {
    "invalid_request": 400,
    "authentication_failed": 401,
    "permission_denied": 403,
    "not_found": 404,
    "conflict": 409,
    "idempotency_conflict": 409,
    "rate_limited": 429,
}
_TYPE_FOR_STATUS = {
    400: "invalid_request",
    401: "authentication_failed",
    403: "permission_denied",
    404: "not_found",
    405: "invalid_request",
    409: "conflict",
    413: "invalid_request",
    415: "invalid_request",
    422: "invalid_request",
    429: "rate_limited",
}


def error_response(status: int, type_: str, message: str, param: str | None = None) -> JsonResponse:
    return JsonResponse({"error": {"type": type_, "message": message, "param": param}}, status=status)


def _param_of(error: dict) -> str | None:
    """The field a pydantic/ninja error is about: ("body", "payload", "seats") → "seats"."""
    loc = [str(part) for part in error.get("loc", ()) if part not in ("body", "query", "path", "header")]
    if loc and loc[0] in ("payload", "data", "filters"):
        loc = loc[1:]
    return ".".join(loc) or None


def register(api) -> None:
    @api.exception_handler(DomainError)
    def domain_error(request: HttpRequest, exc: DomainError):
        return error_response(STATUS_FOR_CODE.get(exc.code, 400), exc.code, exc.message, exc.param)

    @api.exception_handler(ValidationError)
    def validation_error(request: HttpRequest, exc: ValidationError):
        first = exc.errors[0] if exc.errors else {}
        param = _param_of(first)
        message = first.get("msg", "Invalid request.")
        if first.get("type") == "extra_forbidden":
            message = f"Unknown field {param}: it cannot be set here."
        elif param:
            message = f"{param}: {message}"
        return error_response(400, "invalid_request", message, param)

    @api.exception_handler(AuthenticationError)
    def authentication_error(request: HttpRequest, exc: AuthenticationError):
        response = error_response(401, "authentication_failed", "Missing or invalid API key.")
        response["WWW-Authenticate"] = "Bearer"
        return response

    @api.exception_handler(Throttled)
    def throttled(request: HttpRequest, exc: Throttled):
        response = error_response(429, "rate_limited", "Too many requests; slow down.")
        response["Retry-After"] = str(max(1, int(getattr(exc, "wait", None) or 1)))
        return response

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError):
        status = exc.status_code
        return error_response(status, _TYPE_FOR_STATUS.get(status, "invalid_request"), str(exc))

    @api.exception_handler(Exception)
    def unexpected(request: HttpRequest, exc: Exception):
        logger.exception("unexpected error in %s %s", request.method, request.path)
        return error_response(500, "api_error", "Something went wrong on our side; it has been logged.")


class ApiErrorShapeMiddleware:
    """Shapes what Django answers under /api/ before or around the API itself: unknown
    paths (404), wrong methods (405), bodies that are not JSON, and crashes (500)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not request.path.startswith("/api/") or response.status_code < 400:
            return response
        if response.get("Content-Type", "").startswith("application/json"):
            try:
                if "error" in json.loads(response.content or b"{}"):
                    return response
            except ValueError:
                pass
        status = response.status_code
        messages = {404: "No such endpoint.", 405: f"Method {request.method} is not allowed here."}
        shaped = error_response(
            status, _TYPE_FOR_STATUS.get(status, "api_error"), messages.get(status, "The request failed.")
        )
        for header in ("Allow", "Retry-After", "WWW-Authenticate"):
            if header in response:
                shaped[header] = response[header]
        return shaped

    def process_exception(self, request: HttpRequest, exception: Exception):
        if request.path.startswith("/api/"):
            logger.exception("unexpected error in %s %s", request.method, request.path)
            return error_response(500, "api_error", "Something went wrong on our side; it has been logged.")
        return None
