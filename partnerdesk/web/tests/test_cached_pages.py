"""The dashboard is kept whole in the views cache (web/pages.py): every committed change shows
at once, and what belongs to the request (CSRF token, messages, language) is never shared.

Transactional: inside a test transaction nothing is cached (revisions/cache.py)."""

from __future__ import annotations

import re

import pytest
from django.middleware.csrf import _unmask_cipher_token
from django.test import Client

from partnerdesk.accounts.models import ResellerMembership, User
from partnerdesk.customers.services import customer_update
from partnerdesk.subscriptions.services import subscription_change_seats

pytestmark = pytest.mark.django_db(transaction=True)


def signed_in(user, **options) -> Client:
    client = Client(**options)
    client.force_login(user)
    return client


def page(client: Client, path: str = "/console/") -> str:
    response = client.get(path)
    assert response.status_code == 200
    return response.content.decode()


def csrf_tokens(html: str) -> set[str]:
    return set(re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', html))


def test_a_committed_change_shows_on_the_next_view(reseller_and_user, actor, subscription, now):
    client = signed_in(reseller_and_user[1])
    first = page(client)
    assert "Amstel Logistiek B.V." in first
    assert _same_but_tokens(first, page(client)) == first

    customer_update(actor=actor, customer=subscription.customer, data={"company_name": "Rotterdam Haven B.V."})
    second = page(client)
    assert "Rotterdam Haven B.V." in second and "Amstel Logistiek B.V." not in second

    subscription_change_seats(actor=actor, subscription=subscription, seats=9, now=now)
    assert ">0/9<" in page(client)


def _same_but_tokens(a: str, b: str) -> str:
    """``b`` with ``a``'s CSRF tokens: pages differ only there (each response masks the token anew)."""
    for token_a, token_b in zip(sorted(csrf_tokens(a)), sorted(csrf_tokens(b)), strict=True):
        b = b.replace(token_b, token_a)
    return b


def test_each_visitor_gets_a_token_for_their_own_cookie(reseller_and_user, subscription):
    user = reseller_and_user[1]
    browsers = [signed_in(user, enforce_csrf_checks=True) for _ in range(2)]
    for browser in browsers:
        html = page(browser)
        secret = browser.cookies["csrftoken"].value
        tokens = csrf_tokens(html)
        assert tokens and all(_unmask_cipher_token(token) == secret for token in tokens)
        # The token works: the language form on the page is accepted with it.
        response = browser.post(
            "/language", {"language": "de", "next": "/console/", "csrfmiddlewaretoken": tokens.pop()}
        )
        assert response.status_code == 302
    assert browsers[0].cookies["csrftoken"].value != browsers[1].cookies["csrftoken"].value


def test_messages_show_once_and_only_to_their_request(reseller_and_user, subscription):
    user = reseller_and_user[1]
    client, other = signed_in(user), signed_in(user)
    page(client), page(other)  # both cached
    client.post("/console/acting-on", {"customer": "cus_not_mine"})
    assert "That customer is not yours." in page(client)
    assert "That customer is not yours." not in page(client)
    assert "That customer is not yours." not in page(other)


def test_language_user_and_role_are_part_of_the_page(reseller_and_user, reseller, subscription):
    owner = reseller_and_user[1]
    viewer = User.objects.create_user(email="viewer@lesen.example", password="x")
    ResellerMembership.objects.create(user=viewer, reseller=reseller, role="viewer")

    as_owner = signed_in(owner)
    assert "New customer subscription" in page(as_owner)
    as_viewer = signed_in(viewer)
    html = page(as_viewer)
    assert "viewer@lesen.example" in html and "New customer subscription" not in html

    as_owner.post("/language", {"language": "de", "next": "/console/"})
    assert "Neues Kundenabonnement" in page(as_owner)


def test_the_pages_csrf_token_is_djangos_with_an_even_mask():
    from collections import Counter

    from django.middleware.csrf import CSRF_ALLOWED_CHARS, _add_new_csrf_cookie
    from django.test import RequestFactory

    from partnerdesk.web.pages import csrf_token

    request = RequestFactory().get("/console/")
    secret = _add_new_csrf_cookie(request)  # what the middleware does for a visitor's cookie
    request.META.pop("CSRF_COOKIE_NEEDS_UPDATE")
    tokens = [csrf_token(request) for _ in range(2000)]
    assert request.META["CSRF_COOKIE_NEEDS_UPDATE"] is True  # the cookie is sent again, as get_token does
    assert len(set(tokens)) == len(tokens)
    assert all(len(token) == 64 and set(token) <= set(CSRF_ALLOWED_CHARS) for token in tokens)
    assert all(_unmask_cipher_token(token) == secret for token in tokens)
    # Every character equally likely in the mask: a chi-squared statistic far below what a
    # mapping with bias gives (bytes % 62 favours eight characters by a quarter: about 500).
    counts = Counter(char for token in tokens for char in token[:32])
    expected = 32 * len(tokens) / len(CSRF_ALLOWED_CHARS)
    assert sum((counts[c] - expected) ** 2 / expected for c in CSRF_ALLOWED_CHARS) < 130
