"""Sending due deliveries: claim, sign, POST, log, schedule the retry.

``deliver_due`` is a plain function for a periodic job (or ``partnerdesk webhooks deliver
--loop``). It is safe to run in several processes at once:

* A delivery is *claimed* in a short transaction: the row is locked with
  ``select_for_update(skip_locked=True)`` (PostgreSQL; on SQLite the write transaction
  itself serialises claimers), ``next_attempt_at`` moves forward by ``LEASE`` and a
  random ``claim_token`` is set. No other worker sees it as due while the lease runs.
* The request is sent outside any transaction (a slow receiver holds no database lock).
* The outcome is written in a second transaction, only if the ``claim_token`` is still
  ours. A worker killed mid-send leaves the delivery claimed until the lease runs out;
  then another worker sends it again: delivery is *at least once*, and the unchanged
  ``Partnerdesk-Delivery`` id lets receivers drop the duplicate.

Retries back off exponentially (1 min, 2 min, 4 min, … capped at 12 h) until the
delivery's ``retry_until`` (72 h after the event) has passed. An endpoint that has failed
every attempt for ``DISABLE_AFTER`` is disabled and its owner is e-mailed.
"""

from __future__ import annotations

import http.client
import json
import logging
import secrets
import socket
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import F

from partnerdesk.audit.services import audit_record
from partnerdesk.core import clock
from partnerdesk.core.actors import Actor
from partnerdesk.webhooks import ssrf
from partnerdesk.webhooks.models import Delivery, DeliveryAttempt, Event, WebhookEndpoint
from partnerdesk.webhooks.verify import signature_header

logger = logging.getLogger(__name__)

TIMEOUT_SECONDS = 10.0
# A claimed delivery is not due again before this: longer than the whole send can take.
LEASE = timedelta(seconds=TIMEOUT_SECONDS + 5)
FIRST_RETRY = timedelta(minutes=1)
MAX_RETRY_DELAY = timedelta(hours=12)
# An endpoint is disabled when all its attempts have failed for this long (and at least
# MIN_FAILURES_TO_DISABLE times in a row): the same window in which deliveries are retried.
DISABLE_AFTER = timedelta(hours=72)
MIN_FAILURES_TO_DISABLE = 5
EXCERPT_CHARS = 1000
MAX_RESPONSE_BYTES = 64 * 1024
USER_AGENT = "partnerdesk-webhooks/1"


def retry_delay(attempts: int) -> timedelta:
    """The wait after the ``attempts``-th failed attempt: 1, 2, 4, 8 … minutes, at most 12 h.

    Sixteen attempts span a little over 72 hours."""
    exponent = min(max(attempts, 1) - 1, 20)
    return min(FIRST_RETRY * (2**exponent), MAX_RETRY_DELAY)


def event_payload(event: Event) -> bytes:
    """The request body: the same bytes on every attempt of every delivery of the event."""
    body = {
        "id": event.public_id,
        "object": "event",
        "type": event.type,
        "created_at": event.created_at,
        "data": event.data,
    }
    return json.dumps(body, cls=DjangoJSONEncoder, separators=(",", ":"), sort_keys=True).encode("utf-8")


def signing_secrets(endpoint: WebhookEndpoint, now: datetime) -> list[str]:
    """The current secret, and the previous one while its 24 h overlap runs."""
    keys = [endpoint.secret]
    if endpoint.previous_secret and endpoint.previous_secret_expires_at and now < endpoint.previous_secret_expires_at:
        keys.append(endpoint.previous_secret)
    return keys


@dataclass
class Outcome:
    succeeded: bool
    status_code: int | None = None
    duration_ms: int = 0
    response_excerpt: str = ""
    error: str = ""


def _remaining(deadline: float) -> float:
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise TimeoutError
    return remaining


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Connects to the already checked address, not to whatever the name resolves to now;
    every socket operation gets only what is left of the request's time budget."""

    def __init__(self, destination: ssrf.Destination, deadline: float) -> None:
        super().__init__(destination.host, destination.port, timeout=_remaining(deadline))
        self._address = destination.address
        self._deadline = deadline

    def _open(self) -> socket.socket:
        return socket.create_connection((self._address, self.port), _remaining(self._deadline))

    def connect(self) -> None:
        self.sock = self._open()
        self.sock.settimeout(_remaining(self._deadline))


class _PinnedHTTPSConnection(_PinnedHTTPConnection):
    """TLS to the checked address, with the certificate verified for the URL's host name."""

    default_port = http.client.HTTPS_PORT

    def connect(self) -> None:
        sock = self._open()
        sock.settimeout(_remaining(self._deadline))
        self.sock = ssl.create_default_context().wrap_socket(sock, server_hostname=self.host)
        self.sock.settimeout(_remaining(self._deadline))


def _text(value: str, limit: int) -> str:
    """Text fit for the log: no NUL characters (PostgreSQL refuses them), at most ``limit``."""
    return value.replace("\x00", "")[:limit]


def post(
    url: str,
    body: bytes,
    headers: dict[str, str],
    *,
    timeout: float = TIMEOUT_SECONDS,
    start_by: float | None = None,
) -> Outcome:
    """POST ``body`` to ``url`` through the SSRF guard, within ``timeout`` seconds in all.

    ``start_by`` (a ``time.monotonic()`` value) is when the request must have started:
    a name resolution that took longer is not followed by a send, so the send always fits
    in the worker's lease. Redirects are not followed (a 3xx is a failure): following one
    would let a public URL bounce the request to a private address. Never raises: any
    problem is a failed outcome, so one bad endpoint cannot stop a worker.
    """
    started = time.monotonic()

    def elapsed_ms() -> int:
        return int((time.monotonic() - started) * 1000)

    def failed(error: str, status_code: int | None = None, excerpt: str = "") -> Outcome:
        return Outcome(
            succeeded=False,
            status_code=status_code,
            duration_ms=elapsed_ms(),
            response_excerpt=excerpt,
            error=_text(error, 500),
        )

    try:
        destination = ssrf.resolve(url)
    except ssrf.UnsafeDestination as refusal:
        return failed(str(refusal))
    except Exception as error:
        return failed(f"cannot resolve the URL: {type(error).__name__}: {error}")
    if start_by is not None and time.monotonic() > start_by:
        return failed("name resolution took too long; not sent")
    connection: _PinnedHTTPConnection | None = None
    try:
        deadline = time.monotonic() + timeout
        connection_class = _PinnedHTTPSConnection if destination.scheme == "https" else _PinnedHTTPConnection
        connection = connection_class(destination, deadline)
        connection.request("POST", destination.path, body=body, headers=headers)
        sock = connection.sock  # the response reads from it even after the connection lets go
        sock.settimeout(_remaining(deadline))
        response = connection.getresponse()
        chunks: list[bytes] = []
        size = 0
        while size < MAX_RESPONSE_BYTES:
            sock.settimeout(_remaining(deadline))
            chunk = response.read1(MAX_RESPONSE_BYTES - size)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        excerpt = _text(b"".join(chunks).decode("utf-8", errors="replace"), EXCERPT_CHARS)
        if 200 <= response.status < 300:
            return Outcome(
                succeeded=True, status_code=response.status, duration_ms=elapsed_ms(), response_excerpt=excerpt
            )
        return failed(f"HTTP {response.status}", response.status, excerpt)
    except TimeoutError:
        return failed(f"timed out after {timeout:g} s")
    except Exception as error:
        return failed(f"{type(error).__name__}: {error}")
    finally:
        if connection is not None:
            connection.close()


def _claim(now: datetime) -> tuple[int, str] | None:
    """Take the next due delivery for this worker, or None when nothing is due."""
    due = Delivery.objects.filter(
        status=Delivery.Status.PENDING,
        next_attempt_at__lte=now,
        endpoint__enabled=True,
    ).order_by("next_attempt_at", "id")
    # An idle worker polls often: look without a transaction first, so polling takes no
    # write lock (SQLite's BEGIN IMMEDIATE takes the database's) while nothing is due.
    if not due.exists():
        return None
    token = secrets.token_hex(16)
    with transaction.atomic():
        delivery = due.select_for_update(skip_locked=True, of=("self",)).first()
        if delivery is None:
            return None
        Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=now + LEASE, claim_token=token)
    return delivery.pk, token


def _send(delivery_pk: int, now: datetime, start_by: float) -> tuple[Outcome, str, int]:
    delivery = Delivery.objects.select_related("event", "endpoint").get(pk=delivery_pk)
    endpoint, event = delivery.endpoint, delivery.event
    body = event_payload(event)
    # The signature time is the wall clock, not the (sandbox) clock: receivers compare it
    # with their own clock to refuse replays.
    signed_at = int(time.time())
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "Partnerdesk-Signature": signature_header(body, signing_secrets(endpoint, now), signed_at),
        "Partnerdesk-Delivery": delivery.public_id,
        "Partnerdesk-Event": event.type,
        "Partnerdesk-Event-Id": event.public_id,
    }
    return post(endpoint.url, body, headers, start_by=start_by), endpoint.url, delivery.attempts + 1


def _finish(delivery_pk: int, token: str, outcome: Outcome, url: str, number: int, now: datetime) -> None:
    """Log the attempt and schedule what comes next. Locks the endpoint, then the delivery
    (the order every service here uses)."""
    endpoint_pk = Delivery.objects.values_list("endpoint_id", flat=True).get(pk=delivery_pk)
    with transaction.atomic():
        endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint_pk)
        delivery = Delivery.objects.select_for_update().filter(pk=delivery_pk, claim_token=token).first()
        if delivery is None:
            # Our lease ran out and another worker took over (or the delivery was reset):
            # log the attempt, leave the state to the current owner.
            DeliveryAttempt.objects.create(
                delivery_id=delivery_pk, number=number, attempted_at=now, url=url, **_attempt_fields(outcome)
            )
            return
        delivery.attempts = F("attempts") + 1
        delivery.last_attempt_at = now
        delivery.claim_token = ""
        if outcome.succeeded:
            delivery.status = Delivery.Status.SUCCEEDED
            delivery.succeeded_at = now
            delivery.next_attempt_at = None
        elif now >= delivery.retry_until:
            delivery.status = Delivery.Status.FAILED
            delivery.next_attempt_at = None
        else:
            delivery.next_attempt_at = now + retry_delay(number)
        delivery.save(
            update_fields=["attempts", "last_attempt_at", "claim_token", "status", "succeeded_at", "next_attempt_at"]
        )
        DeliveryAttempt.objects.create(
            delivery=delivery, number=number, attempted_at=now, url=url, **_attempt_fields(outcome)
        )
        _record_endpoint_health(endpoint, outcome.succeeded, now)


def _attempt_fields(outcome: Outcome) -> dict:
    return {
        "succeeded": outcome.succeeded,
        "status_code": outcome.status_code,
        "duration_ms": outcome.duration_ms,
        "response_excerpt": outcome.response_excerpt,
        "error": outcome.error,
    }


def _record_endpoint_health(endpoint: WebhookEndpoint, succeeded: bool, now: datetime) -> None:
    """Count failures in a row; a run of failures as long as the retry window disables the
    endpoint and e-mails its owner."""
    if succeeded:
        if endpoint.consecutive_failures or endpoint.failing_since:
            endpoint.consecutive_failures = 0
            endpoint.failing_since = None
            endpoint.save(update_fields=["consecutive_failures", "failing_since"])
        return
    endpoint.consecutive_failures += 1
    endpoint.failing_since = endpoint.failing_since or now
    fields = ["consecutive_failures", "failing_since"]
    if (
        endpoint.enabled
        and endpoint.consecutive_failures >= MIN_FAILURES_TO_DISABLE
        and now - endpoint.failing_since >= DISABLE_AFTER
    ):
        endpoint.enabled = False
        endpoint.disabled_at = now
        since = f"{endpoint.failing_since:%Y-%m-%d %H:%M} UTC"
        endpoint.disabled_reason = f"{endpoint.consecutive_failures} failed attempts in a row since {since}"
        fields += ["enabled", "disabled_at", "disabled_reason"]
        audit_record(
            actor=Actor.system(),
            action="webhook_endpoint.disable",
            obj=endpoint,
            reseller=endpoint.reseller,
            before={"enabled": True},
            after={"enabled": False, "reason": endpoint.disabled_reason},
            now=now,
        )
    endpoint.save(update_fields=fields)
    if "enabled" in fields:
        _mail_endpoint_disabled(endpoint)


def _mail_endpoint_disabled(endpoint: WebhookEndpoint) -> None:
    """Tell the endpoint's owner, through the outbox in this same transaction: the reseller
    (its contact e-mail and owners, in its language), or the vendor for a product's
    provisioning endpoint."""
    from partnerdesk.accounts.models import Vendor
    from partnerdesk.notifications.services import email_enqueue

    language = "en"
    if endpoint.reseller is not None:
        reseller = endpoint.reseller
        language = reseller.language
        recipients = sorted(
            {m.user.email for m in reseller.memberships.filter(role="owner").select_related("user")}
            | ({reseller.contact_email} if reseller.contact_email else set())
        )
    else:
        vendor = Vendor.objects.first()
        recipients = [vendor.email] if vendor is not None and vendor.email else []
    context = {
        "url": endpoint.url,
        "endpoint_id": endpoint.public_id,
        "reason": endpoint.disabled_reason,
        "link": f"{settings.BASE_URL}/",
    }
    for to in recipients:
        email_enqueue(to=to, template="webhook_endpoint_disabled", context=context, language=language)


def deliver_due(*, now: datetime | None = None, limit: int = 100) -> int:
    """Send up to ``limit`` due deliveries, one at a time; returns how many were attempted.

    With ``now`` given every claim uses it (tests, billing-run style catch-up); otherwise
    the clock is read before each claim."""
    attempted = 0
    while attempted < limit:
        current = clock.resolve(now)
        claimed_at = time.monotonic()
        claim = _claim(current)
        if claim is None:
            break
        delivery_pk, token = claim
        # Start the request only while the rest of the lease still covers all of it.
        start_by = claimed_at + (LEASE.total_seconds() - TIMEOUT_SECONDS - 1)
        outcome, url, number = _send(delivery_pk, current, start_by)
        _finish(delivery_pk, token, outcome, url, number, current)
        attempted += 1
    return attempted


def deliver_loop(*, interval: float = 1.0, stop: Callable[[], bool] | None = None) -> None:
    """Deliver until ``stop()`` says so (``partnerdesk webhooks deliver --loop``): a few
    deliveries at a time, so a stop request waits for one request at most; sleep when idle."""
    from django.db import close_old_connections

    while stop is None or not stop():
        close_old_connections()
        try:
            sent = deliver_due(limit=1)
        except Exception:
            # A database outage, say: log, wait, go on. The claimed delivery (if any) is
            # retried when its lease runs out.
            logger.exception("webhook delivery failed; retrying")
            sent = 0
        if sent == 0:
            time.sleep(interval)
