"""Console pages kept whole in the views cache (revisions/cache.py) for pages that read all of
a reseller's data, like the dashboard: rendered once per state of that data and of everything
else the page shows, then served with the request's own parts filled in.

Two parts of a page belong to the request, not to the data: the CSRF token (its secret is the
visitor's cookie) and the one-time messages. The page is rendered with placeholders for them
and kept as the encoded pieces between them, which each request joins with its own parts.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable

from django.contrib.messages import get_messages
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import CSRF_ALLOWED_CHARS, get_token
from django.template.loader import render_to_string
from django.utils import timezone, translation

from partnerdesk.revisions.cache import cached
from partnerdesk.web.console import Console

# Random per process, as the cached pages are: no template or stored text can contain them.
CSRF_TOKEN_SLOT = f"csrf-slot-{secrets.token_hex(16)}"
MESSAGES_SLOT = f"messages-slot-{secrets.token_hex(16)}"


def cached_console_page(
    request: HttpRequest, console: Console, template: str, context: Callable[[], dict], *parts
) -> HttpResponse:
    """``template`` rendered with ``context()``, or the same page rendered before for the same
    data and the same everything-else. ``parts``: anything (hashable) the page depends on
    besides the reseller's data and what is listed here."""
    user = request.user
    depends_on = (
        template,
        request.get_full_path(),  # filters, sort, page; links back to this page
        translation.get_language(),
        timezone.get_current_timezone_name(),
        user.pk,
        user.email,
        tuple((m.reseller.public_id, m.reseller.name, m.role) for m in console.memberships),
        console.acting_on.pk if console.acting_on else None,
        *parts,
    )

    def render() -> tuple[tuple[bytes, ...], ...]:
        slots = {"csrf_token": CSRF_TOKEN_SLOT, "messages_slot": MESSAGES_SLOT}
        page = render_to_string(template, context() | slots, request)
        # Encoded once, in pieces: between the messages slots, and within those between the
        # CSRF token slots (one per form), so a request's page is two joins.
        return tuple(
            tuple(piece.encode() for piece in part.split(CSRF_TOKEN_SLOT)) for part in page.split(MESSAGES_SLOT)
        )

    parts_of_page = cached(console.tenant, template, depends_on, render)
    token = csrf_token(request).encode() if any(len(part) > 1 for part in parts_of_page) else b""
    messages = _messages(request).encode() if len(parts_of_page) > 1 else b""
    return HttpResponse(messages.join(token.join(part) for part in parts_of_page))


_INDEX = {char: index for index, char in enumerate(CSRF_ALLOWED_CHARS)}
_UNBIASED = 256 - 256 % len(CSRF_ALLOWED_CHARS)  # bytes below this map evenly onto the characters


def csrf_token(request: HttpRequest) -> str:
    """What Django's ``get_token(request)`` gives: the visitor's CSRF secret under a new random
    mask, in the same form. Django draws the mask one character at a time, a read of the OS's
    random source each (32 reads, a tenth of a cached page); here one read, mapped without bias."""
    secret = request.META.get("CSRF_COOKIE")
    if secret is None:
        return get_token(request)  # no cookie yet: Django makes the secret and sets the cookie
    request.META["CSRF_COOKIE_NEEDS_UPDATE"] = True  # as get_token: the cookie is sent again
    count = len(CSRF_ALLOWED_CHARS)
    mask: list[int] = []
    while len(mask) < len(secret):
        mask += [byte % count for byte in secrets.token_bytes(2 * len(secret)) if byte < _UNBIASED]
    mask = mask[: len(secret)]
    cipher = "".join(CSRF_ALLOWED_CHARS[(_INDEX[char] + m) % count] for char, m in zip(secret, mask, strict=True))
    return "".join(CSRF_ALLOWED_CHARS[m] for m in mask) + cipher


def _messages(request: HttpRequest) -> str:
    if not get_messages(request):
        return ""
    return render_to_string("web/_messages.html", request=request)
