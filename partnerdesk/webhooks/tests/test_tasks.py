"""The delivery jobs: sent within seconds of the commit (an on-commit job) and every minute
(retries, lost jobs); both send to a real local receiver through the real deliver_due."""

import json
from datetime import datetime

import pytest
from django.db import transaction
from huey.contrib.djhuey import HUEY

from partnerdesk.core import clock
from partnerdesk.core.jobs import discover_tasks
from partnerdesk.customers.tests.factories import make_customer
from partnerdesk.webhooks.models import Delivery
from partnerdesk.webhooks.services import webhook_endpoint_create
from partnerdesk.webhooks.tasks import send_due_webhooks

pytestmark = pytest.mark.django_db(transaction=True)  # real commits: the job runs on commit


@pytest.fixture
def endpoint(actor, receiver, allow_local, now, settings):
    settings.SANDBOX = True
    clock.set_sandbox_now(now)
    endpoint, _ = webhook_endpoint_create(actor=actor, url=receiver.url(), events=["*"], now=now)
    return endpoint


def test_a_committed_event_is_sent_at_once(settings, actor, receiver, endpoint, now):
    settings.WEBHOOKS_SEND_ON_COMMIT = True
    make_customer(actor, now=now, name="Amstel Logistiek B.V.")
    [request] = receiver.received  # huey runs the job in this thread (immediate mode)
    assert json.loads(request.body)["type"] == "customer.created"
    assert Delivery.objects.get().status == "succeeded"


def test_one_job_per_transaction_however_many_events(settings, actor, endpoint, now):
    settings.WEBHOOKS_SEND_ON_COMMIT = True
    with transaction.atomic():
        make_customer(actor, now=now, name="Amstel Logistiek B.V.")
        make_customer(actor, now=now, name="Zaanse Bakkerij B.V.")
        callbacks = transaction.get_connection().run_on_commit
        assert len(callbacks) == 1
    assert list(Delivery.objects.values_list("status", flat=True)) == ["succeeded", "succeeded"]


def test_a_rolled_back_change_sends_nothing(settings, actor, receiver, endpoint, now):
    settings.WEBHOOKS_SEND_ON_COMMIT = True
    with pytest.raises(RuntimeError), transaction.atomic():
        make_customer(actor, now=now, name="Amstel Logistiek B.V.")
        raise RuntimeError("the change fails")
    assert (receiver.received, Delivery.objects.count()) == ([], 0)


def test_the_every_minute_job_sends_what_is_due(settings, actor, receiver, endpoint, now):
    assert settings.WEBHOOKS_SEND_ON_COMMIT is False  # the test settings: nothing sent on commit
    make_customer(actor, now=now, name="Amstel Logistiek B.V.")
    assert receiver.received == []
    assert send_due_webhooks.call_local() == 1
    assert len(receiver.received) == 1
    assert send_due_webhooks.call_local() == 0


def test_the_job_runs_every_minute():
    discover_tasks()
    periodic = {task.name: task for task in HUEY._registry.periodic_tasks}
    minutes = [m for m in range(60) if periodic["send_due_webhooks"].validate_datetime(datetime(2026, 3, 10, 9, m))]  # noqa: DTZ001
    assert minutes == list(range(60))
