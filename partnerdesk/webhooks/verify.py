"""Verify a partnerdesk webhook signature. Receivers may copy this file: it needs only
the Python standard library.

Every webhook request carries a header like::

    Partnerdesk-Signature: t=1773135000,v1=5257a869e7ecebeda32affa62cdca3fa51cad7e77a0e56ff536d0ce8e108d8bd

``t`` is when the request was signed (Unix seconds) and each ``v1`` is the hex
HMAC-SHA256, keyed with the endpoint's signing secret, of ``f"{t}.{raw body}"``. For
24 hours after a secret is rotated the header carries two ``v1`` entries, one per
secret; a request is genuine when any of them matches. Example (Django view)::

    from partnerdesk.webhooks.verify import verify_signature

    def receive(request):
        if not verify_signature(request.body, request.headers.get("Partnerdesk-Signature", ""), SECRET):
            return HttpResponse(status=400)
        event = json.loads(request.body)
        # drop duplicates by request.headers["Partnerdesk-Delivery"], then handle event["type"]
        return HttpResponse(status=200)

Use the raw body exactly as received: re-encoding parsed JSON changes the bytes.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from datetime import datetime

__all__ = ["DEFAULT_TOLERANCE", "sign", "signature_header", "verify_signature"]

DEFAULT_TOLERANCE = 300


def _bytes(value: bytes | str) -> bytes:
    return value.encode("utf-8") if isinstance(value, str) else value


def sign(payload: bytes | str, secret: str, timestamp: int) -> str:
    """The hex HMAC-SHA256 of ``"<timestamp>.<payload>"`` keyed with ``secret``."""
    message = str(int(timestamp)).encode("ascii") + b"." + _bytes(payload)
    return hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


def signature_header(payload: bytes | str, secrets: list[str], timestamp: int) -> str:
    """The ``Partnerdesk-Signature`` value: ``t=…`` and one ``v1=…`` per secret."""
    return ",".join([f"t={int(timestamp)}", *(f"v1={sign(payload, secret, timestamp)}" for secret in secrets)])


def verify_signature(
    payload: bytes | str,
    header: str,
    secret: str,
    tolerance: int = DEFAULT_TOLERANCE,
    now: float | datetime | None = None,
) -> bool:
    """True when ``header`` signs ``payload`` with ``secret`` within ``tolerance`` seconds.

    ``payload`` is the raw request body; ``header`` the ``Partnerdesk-Signature`` value;
    ``now`` (Unix seconds or an aware datetime) defaults to the current time. A timestamp
    further than ``tolerance`` from ``now`` (either way) is refused, so a recorded request
    cannot be replayed later. Malformed headers give False, never an exception.
    """
    if not header or not secret:
        return False
    timestamp: int | None = None
    candidates: list[str] = []
    for part in header.split(","):
        key, sep, value = part.strip().partition("=")
        if not sep:
            continue
        if key == "t":
            if not value.isascii() or not value.isdigit():
                return False
            timestamp = int(value)
        elif key == "v1":
            candidates.append(value.strip())
    if timestamp is None or not candidates:
        return False
    if now is None:
        current = time.time()
    elif isinstance(now, datetime):
        current = now.timestamp()
    else:
        current = float(now)
    if abs(current - timestamp) > tolerance:
        return False
    expected = sign(payload, secret, timestamp)
    return any(hmac.compare_digest(expected, candidate) for candidate in candidates)
