from __future__ import annotations

from ninja import Schema
from pydantic import ConfigDict


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
