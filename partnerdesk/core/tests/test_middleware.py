"""The console's middleware is passed by for the API (core/middleware.py), and only for it."""

from __future__ import annotations

import pytest
from django.test import Client

from partnerdesk.accounts.services import apikey_create
from partnerdesk.core.actors import Actor

pytestmark = pytest.mark.django_db


def test_an_api_request_gets_no_session_language_csrf_or_user(reseller):
    key = apikey_create(actor=Actor.system(), reseller=reseller).secret
    response = Client().get(
        "/api/v1/customers",
        headers={"Authorization": f"Bearer {key}", "Accept-Language": "de", "Cookie": "sessionid=abc; csrftoken=x"},
    )
    assert response.status_code == 200
    request = response.wsgi_request
    assert not hasattr(request, "session") and not hasattr(request, "user") and not hasattr(request, "_messages")
    assert "Content-Language" not in response.headers and "Vary" not in response.headers
    assert not response.cookies


def test_console_requests_still_have_them(reseller_and_user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(reseller_and_user[1])
    page = client.get("/console/", headers={"Accept-Language": "de"})
    assert page.status_code == 200
    assert page.wsgi_request.user == reseller_and_user[1]
    assert page.headers["Content-Language"] == "de"
    assert "csrftoken" in page.cookies
    # A console POST without the CSRF token is refused, as before.
    assert client.post("/language", {"language": "nl"}).status_code == 403
