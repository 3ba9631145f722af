"""Console pages kept whole in the views cache (revisions/cache.py) for pages that read all of
a reseller's data, like the dashboard: rendered once per state of that data and of everything
else the page shows, then served with the request's own parts filled in.

Two parts of a page belong to the request, not to the data: the CSRF token (its secret is the
visitor's cookie) and the one-time messages. The page is rendered with placeholders for them,
filled in for each request.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable

from django.contrib.messages import get_messages
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
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
    data and the same everything-else. ``parts``: anything the page depends on besides the
    reseller's data and what is listed here."""
    user = request.user
    depends_on = (
        template,
        request.get_full_path(),  # filters, sort, page; links back to this page
        translation.get_language(),
        timezone.get_current_timezone_name(),
        user.pk,
        user.email,
        [(m.reseller.public_id, m.reseller.name, m.role) for m in console.memberships],
        console.acting_on.pk if console.acting_on else None,
        *parts,
    )

    def render() -> str:
        slots = {"csrf_token": CSRF_TOKEN_SLOT, "messages_slot": MESSAGES_SLOT}
        return render_to_string(template, context() | slots, request)

    page = cached(console.tenant, template, depends_on, render)
    page = page.replace(CSRF_TOKEN_SLOT, get_token(request))
    page = page.replace(MESSAGES_SLOT, _messages(request))
    return HttpResponse(page)


def _messages(request: HttpRequest) -> str:
    if not get_messages(request):
        return ""
    return render_to_string("web/_messages.html", request=request)
