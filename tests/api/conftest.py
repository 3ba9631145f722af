"""API tests talk to the app through a real HTTP client (httpx) and a live server.

``api`` is the first reseller's client, ``other_api`` a second reseller's, ``vendor_api``
the vendor's. ``client_for`` builds more.
"""

from __future__ import annotations

import httpx
import pytest
from django.core.servers.basehttp import ThreadedWSGIServer

from partnerdesk.accounts.services import apikey_create
from partnerdesk.core.actors import Actor

# The test server's listen backlog (5 by default) would reset connections in the tests
# that fire 50 requests at once; a real deployment's gunicorn uses 2048.
ThreadedWSGIServer.request_queue_size = 128


def _client(base_url: str, key: str | None) -> httpx.Client:
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    return httpx.Client(base_url=f"{base_url}/api/v1", headers=headers, timeout=30)


@pytest.fixture
def client_for(live_server):
    clients = []

    def make(key: str | None) -> httpx.Client:
        client = _client(live_server.url, key)
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


@pytest.fixture
def api(client_for, reseller, vendor):
    return client_for(apikey_create(actor=Actor.system(), reseller=reseller).secret)


@pytest.fixture
def other_api(client_for, other_reseller):
    return client_for(apikey_create(actor=Actor.system(), reseller=other_reseller).secret)


@pytest.fixture
def vendor_api(client_for, vendor):
    return client_for(apikey_create(actor=Actor.system(), vendor=True).secret)


def assert_error(response: httpx.Response, status: int, type_: str, param: str | None = "any") -> dict:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"type", "message", "param"}, body
    assert body["error"]["type"] == type_, body
    if param != "any":
        assert body["error"]["param"] == param, body
    assert body["error"]["message"]
    return body["error"]
