"""Reads for the audit log: resellers see their own entries, vendor staff see all.

``audit_list`` is what the API (``GET /api/v1/audit-log``) and the console pages filter;
``audit_csv`` writes the same entries as a CSV export.
"""

from __future__ import annotations

import csv
import json
from datetime import datetime
from typing import Any, TextIO

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import QuerySet

from partnerdesk.audit.models import AuditEvent
from partnerdesk.core.actors import Tenant
from partnerdesk.core.errors import invalid


def audit_list(
    tenant: Tenant,
    *,
    action: str | None = None,
    object_type: str | None = None,
    object_id: str | None = None,
    actor: str | None = None,
    acting_on: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> QuerySet[AuditEvent]:
    """Entries newest first, filtered.

    ``action`` matches exactly, or as a prefix when it ends with ``*``
    (``subscription.*``); ``actor`` matches part of the actor's label (an e-mail, "api key
    pd_ab12", "system"); ``acting_on`` is a customer id; ``since`` is inclusive, ``until``
    exclusive. A customer (portal) sees no audit log.
    """
    qs = AuditEvent.objects.select_related("acting_on", "reseller")
    if tenant.customer is not None:
        return qs.none()
    if not tenant.vendor:
        qs = qs.filter(reseller=tenant.reseller)
    if action:
        qs = qs.filter(action__startswith=action[:-1]) if action.endswith("*") else qs.filter(action=action)
    if object_type:
        qs = qs.filter(object_type=object_type)
    if object_id:
        qs = qs.filter(object_id=object_id)
    if actor:
        qs = qs.filter(actor__icontains=actor)
    if acting_on:
        qs = qs.filter(acting_on__public_id=acting_on)
    for name, value in (("since", since), ("until", until)):
        if value is not None and (value.tzinfo is None or value.utcoffset() is None):
            raise invalid(f"{name} needs a time zone.", name)
    if since is not None and until is not None and until <= since:
        raise invalid("until must be after since.", "until")
    if since is not None:
        qs = qs.filter(at__gte=since)
    if until is not None:
        qs = qs.filter(at__lt=until)
    return qs.order_by("-at", "-id")


def audit_entry_data(entry: AuditEvent) -> dict[str, Any]:
    """An entry as the API shows it (API.md: actor, acting_on, action, object, before, after, at)."""
    return {
        "id": entry.public_id,
        "actor": entry.actor,
        "acting_on": entry.acting_on.public_id if entry.acting_on is not None else None,
        "action": entry.action,
        "object": {"type": entry.object_type, "id": entry.object_id},
        "before": entry.before,
        "after": entry.after,
        "request_id": entry.request_id,
        "at": entry.at,
    }


CSV_COLUMNS = ["at", "actor", "acting_on", "action", "object_type", "object_id", "before", "after", "request_id"]
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: Any) -> str:
    """A CSV cell that a spreadsheet will not run as a formula (CSV injection)."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def _json(value: Any) -> str:
    return "" if value is None else json.dumps(value, cls=DjangoJSONEncoder, sort_keys=True)


def audit_csv(entries: QuerySet[AuditEvent], out: TextIO) -> int:
    """Write ``entries`` (from :func:`audit_list`) as CSV to ``out``; returns the rows written.

    ``before``/``after`` are JSON; times are ISO 8601 UTC. Streams in chunks, so a large
    log does not have to fit in memory."""
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    rows = 0
    for entry in entries.iterator(chunk_size=500):
        writer.writerow(
            [
                _cell(entry.at.isoformat().replace("+00:00", "Z")),
                _cell(entry.actor),
                _cell(entry.acting_on.public_id if entry.acting_on is not None else ""),
                _cell(entry.action),
                _cell(entry.object_type),
                _cell(entry.object_id),
                _cell(
                    json.dumps(entry.before, cls=DjangoJSONEncoder, sort_keys=True) if entry.before is not None else ""
                ),
                _cell(
                    json.dumps(entry.after, cls=DjangoJSONEncoder, sort_keys=True) if entry.after is not None else ""
                ),
                _cell(entry.request_id),
            ]
        )
        rows += 1
    return rows
