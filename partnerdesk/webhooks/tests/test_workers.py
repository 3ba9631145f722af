"""Point 7: real worker processes and threads against a real receiver.

A worker killed mid-request loses nothing (the delivery is sent again after its lease);
many events recorded while several workers deliver all arrive, each exactly once.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from partnerdesk.customers.services import customer_create
from partnerdesk.webhooks.delivery import deliver_due
from partnerdesk.webhooks.models import Delivery, Event
from partnerdesk.webhooks.services import webhook_endpoint_create


def database_url() -> str:
    """The test database, for a worker in another process."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def start_worker(tmp_path: Path, name: str) -> subprocess.Popen:
    env = os.environ | {
        "DATABASE_URL": database_url(),
        "PARTNERDESK_DATA_DIR": str(tmp_path),
        "PARTNERDESK_WEBHOOK_ALLOW_HOSTS": "127.0.0.1",
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    log = (tmp_path / f"{name}.log").open("w")
    return subprocess.Popen(
        [sys.executable, "-m", "partnerdesk.cli", "webhooks", "deliver", "--loop", "--interval", "0.1"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )


def wait_for(condition, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def succeeded() -> int:
    return Delivery.objects.filter(status="succeeded").count()


@pytest.mark.django_db(transaction=True)
def test_a_killed_worker_still_delivers_every_event_after_restart(actor, receiver, allow_local, tmp_path):
    receiver.delay = 0.3  # the worker spends its time waiting for answers: killed mid-request
    webhook_endpoint_create(actor=actor, url=receiver.url(), events=["*"])
    for n in range(20):
        customer_create(actor=actor, data={"company_name": f"Kunde {n:02} GmbH", "country": "DE"})
    expected = set(Event.objects.values_list("public_id", flat=True))
    assert len(expected) == 20

    first = start_worker(tmp_path, "first")
    try:
        assert wait_for(lambda: len(receiver.received) >= 5, 60), (tmp_path / "first.log").read_text()
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait(10)
    assert first.returncode == -signal.SIGKILL
    assert succeeded() < 20

    second = start_worker(tmp_path, "second")
    try:
        assert wait_for(lambda: succeeded() == 20, 90), (tmp_path / "second.log").read_text()
    finally:
        second.send_signal(signal.SIGTERM)
        second.wait(10)
    assert second.returncode == 0  # SIGTERM stops the loop cleanly

    received = Counter(json.loads(r.body)["id"] for r in receiver.received)
    assert set(received) == expected  # every event at least once
    assert sum(received.values()) - len(expected) <= 1  # at most the request cut off by the kill twice


@pytest.mark.django_db(transaction=True)
def test_many_events_recorded_while_two_workers_deliver_all_arrive_exactly_once(actor, receiver, allow_local):
    webhook_endpoint_create(actor=actor, url=receiver.url(), events=["*"])
    recording_done = threading.Event()
    errors: list[str] = []

    def record(thread: int) -> None:
        try:
            for n in range(15):
                customer_create(
                    actor=actor, data={"company_name": f"Kunde {thread}-{n} GmbH", "country": "DE"}, now=timezone.now()
                )
        except Exception as error:
            errors.append(repr(error))
        finally:
            connection.close()

    def work() -> None:
        try:
            while True:
                finished = recording_done.is_set()
                if deliver_due(now=timezone.now()) == 0 and finished:
                    return
        except Exception as error:
            errors.append(repr(error))
        finally:
            connection.close()

    recorders = [threading.Thread(target=record, args=(t,)) for t in range(4)]
    workers = [threading.Thread(target=work) for _ in range(2)]
    for thread in recorders + workers:
        thread.start()
    for thread in recorders:
        thread.join()
    recording_done.set()
    for thread in workers:
        thread.join()

    assert errors == []
    expected = set(Event.objects.values_list("public_id", flat=True))
    assert len(expected) == 60
    received = Counter(json.loads(r.body)["id"] for r in receiver.received)
    assert set(received) == expected
    assert max(received.values()) == 1  # two workers never sent the same delivery
    assert set(Delivery.objects.values_list("status", flat=True)) == {"succeeded"}


def test_the_cli_drains_what_is_due(actor, receiver, allow_local, capsys):
    from partnerdesk import cli

    webhook_endpoint_create(actor=actor, url=receiver.url(), events=["*"])
    for n in range(3):
        customer_create(actor=actor, data={"company_name": f"Kunde {n} GmbH", "country": "DE"})
    assert cli.main(["webhooks", "deliver"]) == 0
    assert capsys.readouterr().out == "3 webhook deliveries attempted\n"
    assert len(receiver.received) == 3
    assert cli.main(["webhooks", "deliver"]) == 0
    assert capsys.readouterr().out == "0 webhook deliveries attempted\n"
