from __future__ import annotations

from typing import Generic, TypeVar

from ninja import Schema
from pydantic import ConfigDict

T = TypeVar("T")


class StrictSchema(Schema):
    """Request bodies: unknown fields (say ``reseller``, ``price``, ``discount``) are refused,
    never silently ignored or applied."""

    model_config = ConfigDict(extra="forbid")


class ErrorDetail(Schema):
    type: str
    message: str
    param: str | None = None


class ErrorOut(Schema):
    error: ErrorDetail


# The error answers every operation may give, for the OpenAPI document.
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 429: ErrorOut}


class Page(Schema, Generic[T]):
    """A page of a list (API.md): ``{"data": [...], "has_more": bool}``."""

    data: list[T]
    has_more: bool


class PageQuery(Schema):
    """The list parameters every list takes: ``limit`` (1–100) and ``starting_after``."""

    limit: int = 20
    starting_after: str | None = None
