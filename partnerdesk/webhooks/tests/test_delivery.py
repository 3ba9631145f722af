"""Point 2 and 7: signed deliveries to a real HTTP receiver on 127.0.0.1, retries, the log."""

import json
import threading
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core import mail

from partnerdesk.audit.models import AuditEvent
from partnerdesk.core.actors import Tenant
from partnerdesk.core.errors import DomainError
from partnerdesk.customers.tests.factories import make_customer
from partnerdesk.notifications.models import OutboxEmail
from partnerdesk.webhooks import delivery as sender
from partnerdesk.webhooks.delivery import deliver_due, retry_delay
from partnerdesk.webhooks.models import Delivery, DeliveryAttempt, Event, WebhookEndpoint
from partnerdesk.webhooks.selectors import delivery_attempts, delivery_get, delivery_list
from partnerdesk.webhooks.services import (
    delivery_redeliver,
    webhook_endpoint_create,
    webhook_endpoint_enable,
    webhook_endpoint_ping,
    webhook_endpoint_rotate_secret,
)
from partnerdesk.webhooks.verify import verify_signature


@pytest.fixture
def endpoint_and_secret(actor, receiver, allow_local, now):
    return webhook_endpoint_create(actor=actor, url=receiver.url(), events=["*"], now=now)


def test_delivery_is_signed_and_verifies_with_the_helper(actor, receiver, endpoint_and_secret, now):
    _, secret = endpoint_and_secret
    customer = make_customer(actor, now=now)

    assert deliver_due(now=now) == 1

    [request] = receiver.received
    event = Event.objects.get()
    delivery = Delivery.objects.get()
    assert request.path == "/hooks"
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers["Partnerdesk-Delivery"] == delivery.public_id
    assert request.headers["Partnerdesk-Event"] == "customer.created"
    assert verify_signature(request.body, request.headers["Partnerdesk-Signature"], secret)
    assert not verify_signature(request.body, request.headers["Partnerdesk-Signature"], "whsec_wrong")
    assert not verify_signature(request.body + b" ", request.headers["Partnerdesk-Signature"], secret)
    body = json.loads(request.body)
    assert (body["id"], body["type"]) == (event.public_id, "customer.created")
    assert body["created_at"] == "2026-03-10T09:30:00Z"
    assert body["data"]["id"] == customer.public_id
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.next_attempt_at, delivery.succeeded_at) == (
        "succeeded",
        1,
        None,
        now,
    )
    [attempt] = DeliveryAttempt.objects.all()
    assert (attempt.number, attempt.succeeded, attempt.status_code, attempt.response_excerpt, attempt.error) == (
        1,
        True,
        200,
        "answer 200",
        "",
    )
    assert deliver_due(now=now + timedelta(days=1)) == 0  # delivered once, never again
    assert len(receiver.received) == 1


def test_a_500_is_retried_with_backoff_and_retrying_stops_after_success(actor, receiver, endpoint_and_secret, now):
    receiver.statuses = [500, 503]
    make_customer(actor, now=now)

    assert deliver_due(now=now) == 1
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == ("pending", 1, now + timedelta(minutes=1))
    assert deliver_due(now=now + timedelta(seconds=59)) == 0  # not due yet

    later = now + timedelta(minutes=1)
    assert deliver_due(now=later) == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("pending", 2)
    assert delivery.next_attempt_at == later + timedelta(minutes=2)

    last = later + timedelta(minutes=2)
    assert deliver_due(now=last) == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == ("succeeded", 3, None)
    assert deliver_due(now=last + timedelta(days=3)) == 0
    assert len(receiver.received) == 3
    ids = {r.headers["Partnerdesk-Delivery"] for r in receiver.received}
    assert ids == {delivery.public_id}  # the same id on every retry: receivers can de-duplicate
    log = list(
        delivery_attempts(Tenant.for_reseller(actor.reseller), delivery).values_list("number", "status_code", "error")
    )
    assert log == [(3, 200, ""), (2, 503, "HTTP 503"), (1, 500, "HTTP 500")]
    endpoint = WebhookEndpoint.objects.get()
    assert (endpoint.consecutive_failures, endpoint.failing_since) == (0, None)


def test_retry_delays_double_from_one_minute_to_at_most_twelve_hours():
    assert [retry_delay(n) for n in (1, 2, 3, 10, 11, 30)] == [
        timedelta(minutes=1),
        timedelta(minutes=2),
        timedelta(minutes=4),
        timedelta(minutes=512),
        timedelta(hours=12),
        timedelta(hours=12),
    ]


def test_failures_are_retried_for_72_hours_then_the_endpoint_is_disabled_and_the_owner_told(
    actor, receiver, endpoint_and_secret, now, django_capture_on_commit_callbacks
):
    receiver.default = 500
    make_customer(actor, now=now)
    delivery = Delivery.objects.get()
    at = now
    with django_capture_on_commit_callbacks(execute=True):
        while True:
            assert deliver_due(now=at) == 1
            delivery.refresh_from_db()
            if delivery.status != "pending":
                break
            at = delivery.next_attempt_at
    assert delivery.status == "failed"
    assert at >= now + timedelta(hours=72)
    assert at - retry_delay(delivery.attempts - 1) < now + timedelta(hours=72)  # the attempt before was inside
    assert delivery.attempts == len(receiver.received) == 16
    endpoint = WebhookEndpoint.objects.get()
    assert (endpoint.enabled, endpoint.disabled_at, endpoint.consecutive_failures) == (False, at, 16)
    entry = AuditEvent.objects.get(action="webhook_endpoint.disable")
    assert (entry.actor, entry.reseller, entry.object_id, entry.at) == (
        "system",
        actor.reseller,
        endpoint.public_id,
        at,
    )
    [message] = mail.outbox
    assert message.to == ["owner@isar.example"]
    assert endpoint.url in message.body
    assert message.subject == f"Webhook endpoint disabled: {endpoint.url}"
    # Through the outbox, written in the transaction that disabled the endpoint.
    assert OutboxEmail.objects.get().template == "webhook_endpoint_disabled"
    # Disabled: new events are not fanned out to it, nothing more is sent.
    make_customer(actor, now=at, name="Neu GmbH")
    assert Delivery.objects.count() == 1
    assert deliver_due(now=at + timedelta(days=1)) == 0


def test_an_endpoint_failing_for_less_than_72_hours_stays_enabled(actor, receiver, endpoint_and_secret, now):
    receiver.default = 500
    for n in range(8):
        make_customer(actor, now=now, name=f"Kunde{n} GmbH")
    assert deliver_due(now=now + timedelta(hours=71)) == 8
    endpoint = WebhookEndpoint.objects.get()
    assert (endpoint.enabled, endpoint.consecutive_failures, endpoint.failing_since) == (
        True,
        8,
        now + timedelta(hours=71),
    )


def test_reenabling_sends_the_pending_deliveries_again(actor, receiver, endpoint_and_secret, now):
    endpoint, _ = endpoint_and_secret
    make_customer(actor, now=now)
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(enabled=False, disabled_at=now)
    assert deliver_due(now=now) == 0
    assert receiver.received == []

    later = now + timedelta(hours=1)
    webhook_endpoint_enable(actor=actor, endpoint=endpoint, now=later)
    assert deliver_due(now=later) == 1
    assert Delivery.objects.get().status == "succeeded"


def test_redeliver_sends_again_with_the_same_delivery_id(actor, receiver, endpoint_and_secret, now):
    make_customer(actor, now=now)
    deliver_due(now=now)
    delivery = Delivery.objects.get()
    later = now + timedelta(days=10)

    delivery_redeliver(actor=actor, delivery=delivery, now=later)
    assert deliver_due(now=later) == 1

    assert [r.headers["Partnerdesk-Delivery"] for r in receiver.received] == [delivery.public_id] * 2
    first, second = receiver.received
    assert first.body == second.body
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("succeeded", 2)


def test_a_failed_redelivery_after_the_retry_window_is_tried_once(actor, receiver, endpoint_and_secret, now):
    make_customer(actor, now=now)
    deliver_due(now=now)
    receiver.default = 500
    later = now + timedelta(days=10)
    delivery_redeliver(actor=actor, delivery=Delivery.objects.get(), now=later)
    assert deliver_due(now=later) == 1
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == ("failed", 2, None)


def test_another_reseller_cannot_redeliver_or_read_the_log(actor, other_actor, receiver, endpoint_and_secret, now):
    make_customer(actor, now=now)
    delivery = Delivery.objects.get()
    with pytest.raises(DomainError) as refused:
        delivery_redeliver(actor=other_actor, delivery=delivery, now=now)
    assert refused.value.code == "not_found"
    other = Tenant.for_reseller(other_actor.reseller)
    with pytest.raises(DomainError):
        delivery_get(other, delivery.public_id)
    with pytest.raises(DomainError):
        delivery_list(other, endpoint=delivery.endpoint)
    assert Delivery.objects.get().attempts == 0


def test_ping_reaches_only_the_pinged_endpoint(actor, receiver, allow_local, now):
    pinged, secret = webhook_endpoint_create(actor=actor, url=receiver.url("/one"), events=["member.added"], now=now)
    webhook_endpoint_create(actor=actor, url=receiver.url("/two"), events=["*"], now=now)

    webhook_endpoint_ping(actor=actor, endpoint=pinged, now=now)
    assert deliver_due(now=now) == 1

    [request] = receiver.received
    assert request.path == "/one"
    assert json.loads(request.body)["type"] == "ping"
    assert verify_signature(request.body, request.headers["Partnerdesk-Signature"], secret)


def test_after_rotation_both_secrets_sign_for_24_hours(actor, receiver, endpoint_and_secret, now):
    endpoint, old = endpoint_and_secret
    _, new = webhook_endpoint_rotate_secret(actor=actor, endpoint=endpoint, now=now)
    assert new != old

    make_customer(actor, now=now)
    deliver_due(now=now + timedelta(hours=23))
    make_customer(actor, now=now + timedelta(hours=24), name="Spaeter GmbH")
    deliver_due(now=now + timedelta(hours=24))

    inside, after = receiver.received
    assert inside.headers["Partnerdesk-Signature"].count("v1=") == 2
    assert verify_signature(inside.body, inside.headers["Partnerdesk-Signature"], new)
    assert verify_signature(inside.body, inside.headers["Partnerdesk-Signature"], old)
    assert after.headers["Partnerdesk-Signature"].count("v1=") == 1
    assert verify_signature(after.body, after.headers["Partnerdesk-Signature"], new)
    assert not verify_signature(after.body, after.headers["Partnerdesk-Signature"], old)


def test_a_slow_receiver_times_out(receiver, allow_local):
    receiver.delay = 2
    outcome = sender.post(receiver.url(), b"{}", {"Content-Type": "application/json"}, timeout=0.3)
    assert (outcome.succeeded, outcome.status_code, outcome.error) == (False, None, "timed out after 0.3 s")


def test_the_timeout_is_ten_seconds():
    assert sender.TIMEOUT_SECONDS == 10
    assert timedelta(seconds=sender.TIMEOUT_SECONDS) < sender.LEASE


def test_redirects_are_not_followed(allow_local):

    class Redirect(BaseHTTPRequestHandler):
        def do_POST(self):
            self.send_response(307)
            self.send_header("Location", "http://169.254.169.254/latest/meta-data/")
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Redirect)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        outcome = sender.post(f"http://127.0.0.1:{server.server_address[1]}/", b"{}", {})
    finally:
        server.shutdown()
        server.server_close()
    assert (outcome.succeeded, outcome.status_code, outcome.error) == (False, 307, "HTTP 307")


def test_the_log_keeps_a_cleaned_excerpt_of_any_answer(actor, receiver, endpoint_and_secret, now):
    receiver.default = 502
    receiver.answer = b"bad\x00gateway \xff" + b"x" * 5000
    make_customer(actor, now=now)
    deliver_due(now=now)
    attempt = DeliveryAttempt.objects.get()
    assert attempt.response_excerpt == "badgateway \ufffd" + "x" * 988
    assert (attempt.status_code, attempt.error) == (502, "HTTP 502")


def test_https_to_a_server_without_tls_is_a_failed_attempt_not_a_crash(receiver, allow_local):
    outcome = sender.post(f"https://127.0.0.1:{receiver.port}/hooks", b"{}", {})
    assert (outcome.succeeded, outcome.status_code) == (False, None)
    assert outcome.error.startswith("SSL")


def test_a_url_http_cannot_send_is_a_failed_attempt_not_a_crash(receiver, allow_local):
    outcome = sender.post(f"http://127.0.0.1:{receiver.port}/\u00e4", b"{}", {})
    assert (outcome.succeeded, outcome.status_code) == (False, None)
    assert outcome.error.startswith("UnicodeEncodeError")
    assert receiver.received == []


def test_no_request_starts_after_the_lease_would_no_longer_cover_it(receiver, allow_local):
    outcome = sender.post(receiver.url(), b"{}", {}, start_by=time.monotonic() - 1)
    assert (outcome.succeeded, outcome.error) == (False, "name resolution took too long; not sent")
    assert receiver.received == []


def test_a_claimed_delivery_is_nobody_elses_until_its_lease_runs_out(actor, receiver, endpoint_and_secret, now):
    make_customer(actor, now=now)
    delivery = Delivery.objects.get()
    first = sender._claim(now)
    assert first is not None and first[0] == delivery.pk
    assert sender._claim(now) is None  # claimed: not due for another worker
    assert sender._claim(now + sender.LEASE - timedelta(seconds=1)) is None

    # The first worker died; after the lease another one takes over.
    second = sender._claim(now + sender.LEASE)
    assert second is not None and second[0] == delivery.pk and second[1] != first[1]

    # The first worker's late report is logged but does not change the delivery.
    late = sender.Outcome(succeeded=True, status_code=200)
    sender._finish(delivery.pk, first[1], late, receiver.url(), 1, now + sender.LEASE)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.claim_token) == ("pending", 0, second[1])
    assert DeliveryAttempt.objects.count() == 1

    sender._finish(delivery.pk, second[1], late, receiver.url(), 1, now + sender.LEASE)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.claim_token) == ("succeeded", 1, "")
