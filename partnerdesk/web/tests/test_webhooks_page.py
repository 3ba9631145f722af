from __future__ import annotations

import pytest

from partnerdesk.webhooks.models import WebhookEndpoint
from partnerdesk.webhooks.services import webhook_endpoint_create

pytestmark = pytest.mark.django_db


def test_add_an_endpoint_secret_shown_once_then_remove(client_in, reseller):
    form = {"url": "https://hooks.isar.example/pd", "description": "CRM", "events": ["member.added", "invoice.issued"]}
    response = client_in.post("/console/webhooks", form)
    endpoint = WebhookEndpoint.objects.get(reseller=reseller)
    assert endpoint.events == ["invoice.issued", "member.added"]
    html = response.content.decode()
    assert endpoint.secret in html and response["Cache-Control"] == "no-store"
    assert endpoint.secret not in client_in.get("/console/webhooks").content.decode()
    client_in.post(f"/console/webhooks/{endpoint.public_id}/delete")
    endpoint.refresh_from_db()
    assert endpoint.deleted_at is not None
    assert "hooks.isar.example" not in client_in.get("/console/webhooks").content.decode()


def test_no_events_chosen_means_all(client_in, reseller):
    client_in.post("/console/webhooks", {"url": "https://hooks.isar.example/all"})
    assert WebhookEndpoint.objects.get(reseller=reseller).events == ["*"]
    assert "all events" in client_in.get("/console/webhooks").content.decode()


def test_a_private_address_is_refused_at_the_url_field(client_in):
    response = client_in.post("/console/webhooks", {"url": "https://127.0.0.1/hook"})
    assert response.status_code == 422 and list(response.context["form"].errors) == ["url"]
    assert 'value="https://127.0.0.1/hook"' in response.content.decode()
    assert not WebhookEndpoint.objects.exists()


def test_another_resellers_endpoint_is_neither_shown_nor_removable(client_in, other_actor):
    endpoint, _ = webhook_endpoint_create(actor=other_actor, url="https://hooks.polder.example/x", events=["*"])
    assert "hooks.polder.example" not in client_in.get("/console/webhooks").content.decode()
    assert client_in.post(f"/console/webhooks/{endpoint.public_id}/delete").status_code == 404
    endpoint.refresh_from_db()
    assert endpoint.deleted_at is None
