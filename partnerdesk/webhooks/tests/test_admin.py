"""The back office shows events, endpoints and the delivery log, read-only."""

import pytest

from partnerdesk.accounts.models import User
from partnerdesk.customers.tests.factories import make_customer
from partnerdesk.webhooks.delivery import deliver_due
from partnerdesk.webhooks.models import Delivery, Event, WebhookEndpoint
from partnerdesk.webhooks.services import webhook_endpoint_create


@pytest.fixture
def staff_client(client, db):
    client.force_login(User.objects.create_superuser(email="staff@vendor.example", password="pw"))
    return client


def test_pages_open_and_never_show_the_secret(staff_client, actor, receiver, allow_local, now):
    endpoint, secret = webhook_endpoint_create(actor=actor, url=receiver.url(), events=["*"], now=now)
    make_customer(actor, now=now)
    deliver_due(now=now)
    event, delivery = Event.objects.get(), Delivery.objects.get()
    for url in [
        "/admin/webhooks/event/",
        f"/admin/webhooks/event/{event.pk}/change/",
        "/admin/webhooks/webhookendpoint/",
        f"/admin/webhooks/webhookendpoint/{endpoint.pk}/change/",
        "/admin/webhooks/delivery/",
        f"/admin/webhooks/delivery/{delivery.pk}/change/",
    ]:
        page = staff_client.get(url)
        assert page.status_code == 200, url
        assert secret not in page.content.decode()
    page = staff_client.post(f"/admin/webhooks/webhookendpoint/{endpoint.pk}/change/", {"url": "https://evil.example/"})
    assert page.status_code == 403
    assert WebhookEndpoint.objects.get().url == receiver.url()
