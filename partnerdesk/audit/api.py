from __future__ import annotations

from datetime import datetime
from typing import Any

from ninja import Query, Router, Schema

from partnerdesk.audit.selectors import audit_entry_data, audit_list
from partnerdesk.core.api.pagination import paginate
from partnerdesk.core.api.schemas import ERRORS, Page, PageQuery

router = Router(tags=["audit log"])


class AuditObject(Schema):
    type: str
    id: str


class AuditEntryOut(Schema):
    id: str
    actor: str
    acting_on: str | None
    action: str
    object: AuditObject
    before: Any
    after: Any
    request_id: str
    at: datetime


class AuditFilters(PageQuery):
    action: str | None = None
    object: str | None = None
    actor: str | None = None
    acting_on: str | None = None
    since: datetime | None = None
    until: datetime | None = None


@router.get(
    "/audit-log",
    response={200: Page[AuditEntryOut], **ERRORS},
    summary="Who changed what, newest first (filters: action (prefix with *), object, actor, acting_on, since, until)",
)
def list_audit_log(request, filters: Query[AuditFilters]):
    qs = audit_list(
        request.auth.tenant,
        action=filters.action,
        object_id=filters.object,
        actor=filters.actor,
        acting_on=filters.acting_on,
        since=filters.since,
        until=filters.until,
    )
    return paginate(
        qs, limit=filters.limit, starting_after=filters.starting_after, render=audit_entry_data, created_field="at"
    )
