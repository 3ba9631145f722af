"""The one error type services raise. The API and the console map it to their own shapes."""

from __future__ import annotations


class DomainError(Exception):
    """A refused operation, with a code from API.md's error types.

    codes: invalid_request, not_found, conflict, permission_denied.
    """

    def __init__(self, code: str, message: str, param: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.param = param

    def __repr__(self) -> str:
        return f"DomainError({self.code!r}, {self.message!r}, param={self.param!r})"


def invalid(message: str, param: str | None = None) -> DomainError:
    return DomainError("invalid_request", message, param)


def not_found(what: str, param: str | None = None) -> DomainError:
    return DomainError("not_found", f"No such {what}.", param)


def conflict(message: str, param: str | None = None) -> DomainError:
    return DomainError("conflict", message, param)


def forbidden(message: str) -> DomainError:
    return DomainError("permission_denied", message)
