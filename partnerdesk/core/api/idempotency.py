"""Idempotency-Key for every POST under /api/, with Stripe's semantics (API.md).

Same key + same request within 24 h → the first response again, with
``Idempotent-Replayed: true``; same key + another request → 409
``idempotency_conflict``; concurrent duplicates run once (the others wait for the
first to finish). Server errors (5xx) are not kept, so the client can retry them.
"""

from __future__ import annotations

import hashlib
import time
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from partnerdesk.accounts.selectors import apikey_authenticate
from partnerdesk.core.api.errors import error_response
from partnerdesk.core.models import IdempotencyRecord

KEEP_FOR = timedelta(hours=24)
ABANDONED_AFTER = timedelta(seconds=60)  # a pending row this old belongs to a crashed request
WAIT_FOR_FIRST = 30.0


def _owner(request: HttpRequest) -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer":
        return None
    api_key = apikey_authenticate(token.strip())
    return f"key:{api_key.pk}" if api_key else None


def _fingerprint(request: HttpRequest) -> str:
    digest = hashlib.sha256()
    for part in (request.method, request.get_full_path(), request.headers.get("Content-Type", "")):
        digest.update(part.encode() + b"\0")
    digest.update(request.body)
    return digest.hexdigest()


def _replay(record: IdempotencyRecord) -> HttpResponse:
    response = HttpResponse(
        record.response_body,
        status=record.response_status,
        content_type=record.response_content_type or "application/json",
    )
    response["Idempotent-Replayed"] = "true"
    return response


class IdempotencyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        key = request.headers.get("Idempotency-Key")
        if request.method != "POST" or key is None or not request.path.startswith("/api/"):
            return self.get_response(request)
        if not 1 <= len(key) <= 255:
            return error_response(
                400, "invalid_request", "Idempotency-Key must be 1 to 255 characters.", "Idempotency-Key"
            )
        owner = _owner(request)
        if owner is None:
            return self.get_response(request)  # the API answers 401 itself
        fingerprint = _fingerprint(request)
        deadline = time.monotonic() + WAIT_FOR_FIRST
        while True:
            now = timezone.now()
            try:
                with transaction.atomic():
                    record = IdempotencyRecord.objects.create(
                        owner=owner, key=key, request_hash=fingerprint, created_at=now
                    )
                break  # this request runs
            except IntegrityError:
                pass
            existing = IdempotencyRecord.objects.filter(owner=owner, key=key).first()
            if existing is None:
                continue  # removed meanwhile; try again
            stale = existing.created_at < now - KEEP_FOR
            abandoned = not existing.done and existing.created_at < now - ABANDONED_AFTER
            if stale or abandoned:
                IdempotencyRecord.objects.filter(pk=existing.pk, created_at=existing.created_at).delete()
                continue
            if existing.request_hash != fingerprint:
                return error_response(
                    409,
                    "idempotency_conflict",
                    "This Idempotency-Key was used with a different request.",
                    "Idempotency-Key",
                )
            if existing.done:
                return _replay(existing)
            if time.monotonic() > deadline:
                return error_response(
                    409, "conflict", "A request with this Idempotency-Key is still running.", "Idempotency-Key"
                )
            time.sleep(0.05)

        try:
            response = self.get_response(request)
        except BaseException:
            IdempotencyRecord.objects.filter(pk=record.pk).delete()
            raise
        if response.status_code >= 500 or getattr(response, "streaming", False):
            IdempotencyRecord.objects.filter(pk=record.pk).delete()
            return response
        IdempotencyRecord.objects.filter(pk=record.pk).update(
            done=True,
            response_status=response.status_code,
            response_body=response.content.decode("utf-8", errors="replace"),
            response_content_type=response.get("Content-Type", ""),
        )
        return response
