"""No server-side request forgery: webhooks reach only public addresses.

A reseller chooses the URL partnerdesk POSTs to, so without a guard a URL could make the
server talk to its own database port, the cloud metadata service (169.254.169.254) or
the office network behind it. The host is resolved once, every address it resolves to
must be globally routable, and the connection then goes to the address that was checked
(see delivery.py), so a DNS answer that changes between the check and the connection
(DNS rebinding) cannot smuggle a private address in.

Hosts in ``settings.WEBHOOK_ALLOW_HOSTS`` (PARTNERDESK_WEBHOOK_ALLOW_HOSTS) skip the
address check: the vendor's own provisioning service on its network, or a test receiver.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import SplitResult, urlsplit

from django.conf import settings

from partnerdesk.core.errors import invalid

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# Cloud metadata services; all are non-global anyway, listed so the refusal names them.
METADATA_ADDRESSES = frozenset(
    {
        ipaddress.ip_address("169.254.169.254"),
        ipaddress.ip_address("fd00:ec2::254"),
        ipaddress.ip_address("100.100.100.200"),
    }
)


class UnsafeDestination(Exception):
    """The URL may not be requested; the message says why (shown in the delivery log)."""


@dataclass(frozen=True)
class Destination:
    scheme: str
    host: str  # as in the URL (for the Host header and TLS), without brackets
    port: int
    path: str  # path and query
    address: str  # the checked IP address to connect to


def host_is_allowed(host: str) -> bool:
    allowed = {h.strip().lower().strip("[]") for h in getattr(settings, "WEBHOOK_ALLOW_HOSTS", []) or []}
    return host.lower() in allowed


def address_refusal(address: IPAddress) -> str | None:
    """Why ``address`` may not be reached, or None when it is a public address."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address_refusal(address.ipv4_mapped)
    if address in METADATA_ADDRESSES:
        return "a cloud metadata address"
    checks = [
        ("is_loopback", "a loopback address"),
        ("is_unspecified", "an unspecified address"),
        ("is_link_local", "a link-local address"),
        ("is_multicast", "a multicast address"),
        ("is_private", "a private address"),
        ("is_reserved", "a reserved address"),
    ]
    for attribute, reason in checks:
        if getattr(address, attribute):
            return reason
    if not address.is_global:  # e.g. 100.64.0.0/10 (carrier-grade NAT)
        return "not a public address"
    return None


def _split(url: str) -> SplitResult:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise UnsafeDestination("only http and https URLs can receive webhooks")
    if not parts.hostname:
        raise UnsafeDestination("the URL has no host")
    if parts.username or parts.password:
        raise UnsafeDestination("URLs with credentials are not accepted")
    try:
        parts.port  # noqa: B018 - raises on a bad port
    except ValueError:
        raise UnsafeDestination("the URL's port is not valid") from None
    return parts


def validate_url(url: str, param: str = "url") -> str:
    """Check a URL when an endpoint is configured (no DNS lookup: names may not resolve
    yet, and they are checked again at every delivery). Raises ``invalid``."""
    url = (url or "").strip()
    if not url or len(url) > 2000:
        raise invalid("A webhook URL of at most 2000 characters is required.", param)
    if not url.isascii() or not url.isprintable() or " " in url:
        raise invalid("Use an ASCII URL without spaces (IDNA host, percent-encoded path).", param)
    try:
        parts = _split(url)
    except UnsafeDestination as refusal:
        raise invalid(f"{refusal}.", param) from None
    host = parts.hostname or ""
    if host_is_allowed(host):
        return url
    if parts.scheme != "https":
        raise invalid("Webhook URLs must use https.", param)
    if host == "localhost" or host.endswith(".localhost"):
        raise invalid("Webhook URLs must point to a public address.", param)
    try:
        literal = ipaddress.ip_address(host)
    except ValueError:
        return url
    if address_refusal(literal):
        raise invalid("Webhook URLs must point to a public address.", param)
    return url


def resolve(url: str) -> Destination:
    """Resolve ``url``'s host once and return the address to connect to.

    Every address the name resolves to must be public (one private answer among public
    ones refuses the whole name: which one a client picks is not ours to guess).
    """
    parts = _split(url)
    host = parts.hostname or ""
    scheme = parts.scheme
    port = parts.port or (443 if scheme == "https" else 80)
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise UnsafeDestination(f"cannot resolve {host}: {error}") from None
    addresses: list[IPAddress] = []
    for info in infos:
        address = ipaddress.ip_address(info[4][0].split("%", 1)[0])
        if address not in addresses:
            addresses.append(address)
    if not addresses:
        raise UnsafeDestination(f"cannot resolve {host}")
    if not host_is_allowed(host):
        for address in addresses:
            reason = address_refusal(address)
            if reason:
                raise UnsafeDestination(f"refused: {host} resolves to {address}, {reason}")
    if scheme != "https" and not host_is_allowed(host):
        raise UnsafeDestination("plain http is accepted only for allowed hosts")
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    return Destination(scheme=scheme, host=host, port=port, path=path, address=str(addresses[0]))
