"""Cursor pagination as API.md says: ``limit`` 1–100 (default 20), ``starting_after``,
``{"data": [...], "has_more": bool}``; newest first, stable under inserts.

The cursor is the public id of the last row seen; the next page continues strictly
after its (created, id) position, so rows added meanwhile never shift a page.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.db.models import Q, QuerySet

from partnerdesk.core.errors import invalid


def paginate(
    qs: QuerySet,
    *,
    limit: int,
    starting_after: str | None,
    render: Callable[[Any], Any],
    created_field: str = "created_at",
    id_field: str = "public_id",
) -> dict:
    if not 1 <= limit <= 100:
        raise invalid("limit must be between 1 and 100.", "limit")
    qs = qs.order_by(f"-{created_field}", "-pk")
    if starting_after:
        cursor = qs.filter(**{id_field: starting_after}).values(created_field, "pk").first()
        if cursor is None:
            raise invalid("starting_after is not an id from this list.", "starting_after")
        qs = qs.filter(
            Q(**{f"{created_field}__lt": cursor[created_field]})
            | Q(**{created_field: cursor[created_field], "pk__lt": cursor["pk"]})
        )
    rows: Iterable = list(qs[: limit + 1])
    return {"data": [render(row) for row in rows[:limit]], "has_more": len(rows) > limit}
