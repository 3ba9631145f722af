"""The sandbox clock (API.md): only with PARTNERDESK_SANDBOX=1 and a vendor key; 404 otherwise."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.utils import timezone
from ninja import Router, Schema

from partnerdesk.core import clock
from partnerdesk.core.api.schemas import ERRORS, StrictSchema
from partnerdesk.core.errors import invalid, not_found

router = Router(tags=["sandbox"])


class ClockIn(StrictSchema):
    now: datetime | None


class ClockOut(Schema):
    now: datetime
    frozen: bool


def _require_sandbox(request) -> None:
    if not settings.SANDBOX or not request.auth.tenant.vendor:
        raise not_found("endpoint")


def _render() -> dict:
    from partnerdesk.core.models import SandboxClock

    row = SandboxClock.objects.filter(pk=1).first()
    return {"now": clock.now(), "frozen": bool(row and row.now)}


@router.get("/sandbox/clock", response={200: ClockOut, **ERRORS}, summary="Read the sandbox clock")
def get_clock(request):
    _require_sandbox(request)
    return _render()


@router.post(
    "/sandbox/clock", response={200: ClockOut, **ERRORS}, summary="Set the sandbox clock (null returns to real time)"
)
def set_clock(request, payload: ClockIn):
    _require_sandbox(request)
    if payload.now is not None and timezone.is_naive(payload.now):
        raise invalid("now needs a time zone, e.g. 2026-03-10T09:30:00Z.", "now")
    clock.set_sandbox_now(payload.now)
    return _render()


class BillingRunOut(Schema):
    now: datetime
    counts: dict[str, int]


@router.post(
    "/sandbox/billing-run",
    response={200: BillingRunOut, **ERRORS},
    summary="Run the billing run at once, at the sandbox clock's time",
)
def run_billing(request):
    from partnerdesk.billing.run import billing_run

    _require_sandbox(request)
    now = clock.now()
    return {"now": now, "counts": dict(billing_run(now=now))}
