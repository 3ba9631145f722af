"""Recording audit events. Called by every state-changing service inside its transaction."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction

from partnerdesk.audit.models import AuditEvent
from partnerdesk.core import clock
from partnerdesk.core.actors import Actor
from partnerdesk.core.bulk import unsaved
from partnerdesk.core.requestid import current_request_id


def audit_entry(
    *,
    actor: Actor,
    action: str,
    obj: Any,
    before: dict | None = None,
    after: dict | None = None,
    reseller: Any = None,
    acting_on: Any = None,
    now: datetime | None = None,
) -> AuditEvent:
    """An unsaved audit entry: for changes made in bulk, which ``bulk_create`` their
    entries in the same transaction (the billing run). Everything else: :func:`audit_record`."""
    return unsaved(
        AuditEvent,
        at=clock.resolve(now),
        actor=actor.audit_label,
        actor_user=actor.user,
        reseller=reseller if reseller is not None else actor.reseller,
        acting_on=acting_on,
        action=action,
        object_type=type(obj).__name__.lower(),
        object_id=getattr(obj, "public_id", None) or str(obj.pk),
        before=before,
        after=after,
        request_id=current_request_id(),
    )


def audit_record(
    *,
    actor: Actor,
    action: str,
    obj: Any,
    before: dict | None = None,
    after: dict | None = None,
    reseller: Any = None,
    acting_on: Any = None,
    now: datetime | None = None,
) -> AuditEvent:
    """Append one audit entry. Must run inside the transaction of the change it records."""
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        raise RuntimeError("audit_record must run inside the change's transaction")
    entry = audit_entry(
        actor=actor,
        action=action,
        obj=obj,
        before=before,
        after=after,
        reseller=reseller,
        acting_on=acting_on,
        now=now,
    )
    entry.save(force_insert=True)
    return entry


def snapshot(obj: Any, fields: list[str]) -> dict:
    """The named fields of ``obj`` as JSON-ready values, for ``before``/``after``."""
    return {name: getattr(obj, name) for name in fields}
