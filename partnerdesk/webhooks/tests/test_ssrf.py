"""Point 3: no server-side request forgery, checked after DNS resolution."""

import ipaddress
import socket

import pytest

from partnerdesk.core.errors import DomainError
from partnerdesk.customers.tests.factories import make_customer
from partnerdesk.webhooks import ssrf
from partnerdesk.webhooks.delivery import deliver_due, post
from partnerdesk.webhooks.models import Delivery, DeliveryAttempt, WebhookEndpoint
from partnerdesk.webhooks.services import webhook_endpoint_create


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ("127.0.0.1", "a loopback address"),
        ("::1", "a loopback address"),
        ("10.1.2.3", "a private address"),
        ("172.16.0.1", "a private address"),
        ("192.168.178.1", "a private address"),
        ("fd12:3456::1", "a private address"),
        ("169.254.169.254", "a cloud metadata address"),
        ("169.254.1.1", "a link-local address"),
        ("fe80::1", "a link-local address"),
        ("224.0.0.1", "a multicast address"),
        ("0.0.0.0", "an unspecified address"),
        ("240.0.0.1", "a private address"),
        ("100.64.0.1", "not a public address"),
        ("::ffff:127.0.0.1", "a loopback address"),
        ("::ffff:169.254.169.254", "a cloud metadata address"),
    ],
)
def test_non_public_addresses_are_refused(address, reason):
    assert ssrf.address_refusal(ipaddress.ip_address(address)) == reason


@pytest.mark.parametrize("address", ["93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946", "1.1.1.1"])
def test_public_addresses_pass(address):
    assert ssrf.address_refusal(ipaddress.ip_address(address)) is None


@pytest.mark.parametrize(
    "url",
    [
        "http://hooks.example.com/x",  # plain http
        "https://127.0.0.1/x",
        "https://[::1]/x",
        "https://169.254.169.254/latest/meta-data/",
        "https://10.0.0.8/hook",
        "https://localhost/x",
        "ftp://hooks.example.com/",
        "https://user:pw@hooks.example.com/",
        "https://hooks.example.com:99999/",
        "not a url",
        "https://hooks.exämple.com/",
        "https://hooks.example.com/a b",
        "",
    ],
)
def test_endpoints_with_unsafe_urls_are_refused_and_nothing_is_stored(actor, now, url):
    with pytest.raises(DomainError) as refused:
        webhook_endpoint_create(actor=actor, url=url, events=["*"], now=now)
    assert (refused.value.code, refused.value.param) == ("invalid_request", "url")
    assert WebhookEndpoint.objects.count() == 0


def test_a_delivery_to_loopback_is_refused_unless_the_host_is_allowed(actor, receiver, settings, now):
    settings.WEBHOOK_ALLOW_HOSTS = ["127.0.0.1"]
    webhook_endpoint_create(actor=actor, url=receiver.url(), events=["*"], now=now)
    settings.WEBHOOK_ALLOW_HOSTS = []  # the vendor takes the permission back
    make_customer(actor, now=now)

    assert deliver_due(now=now) == 1
    assert receiver.received == []
    attempt = DeliveryAttempt.objects.get()
    assert (attempt.succeeded, attempt.status_code) == (False, None)
    assert attempt.error == "refused: 127.0.0.1 resolves to 127.0.0.1, a loopback address"
    assert Delivery.objects.get().status == "pending"  # retried later, like any failure

    settings.WEBHOOK_ALLOW_HOSTS = ["127.0.0.1"]
    delivery = Delivery.objects.get()
    assert deliver_due(now=delivery.next_attempt_at) == 1
    assert len(receiver.received) == 1
    assert Delivery.objects.get().status == "succeeded"


def test_a_name_resolving_to_a_private_address_is_refused_after_resolution(settings):
    settings.WEBHOOK_ALLOW_HOSTS = []
    # "localhost" resolves without a network; it stands for any name pointing inside.
    with pytest.raises(ssrf.UnsafeDestination, match="a loopback address"):
        ssrf.resolve("https://localhost:8443/hook")


def test_the_connection_goes_to_the_checked_address_not_a_second_lookup(receiver, monkeypatch, settings):
    """DNS rebinding: the first answer is checked, a later one must not be used."""
    settings.WEBHOOK_ALLOW_HOSTS = ["127.0.0.1", "rebind.test"]
    real = socket.getaddrinfo
    answers = []

    def rebinding(host, port, *args, **kwargs):
        if host == "rebind.test":
            answers.append(port)
            target = "127.0.0.1" if len(answers) == 1 else "192.0.2.1"  # later answers point elsewhere
            return real(target, port, *args, **kwargs)
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    outcome = post(f"http://rebind.test:{receiver.port}/hooks", b"{}", {"Content-Type": "application/json"})
    assert (outcome.succeeded, outcome.status_code) == (True, 200)
    assert len(answers) == 1
    [request] = receiver.received
    assert request.headers["Host"] == f"rebind.test:{receiver.port}"


def test_one_private_answer_among_public_ones_refuses_the_name(monkeypatch, settings):
    settings.WEBHOOK_ALLOW_HOSTS = []

    def mixed(host, port, *args, **kwargs):
        return [
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", port)),
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.0.0.5", port)),
        ]

    monkeypatch.setattr(socket, "getaddrinfo", mixed)
    with pytest.raises(ssrf.UnsafeDestination, match=r"10\.0\.0\.5, a private address"):
        ssrf.resolve("https://hooks.example.com/")
