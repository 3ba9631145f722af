"""The billing run is killed mid-way (SIGKILL, a real process), then run again: every
period is invoiced exactly once and the invoice numbers have no gap."""

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta

import pytest
from django.db import connection

from partnerdesk.billing.models import Invoice, InvoiceCounter, InvoiceLine
from partnerdesk.billing.run import billing_run
from partnerdesk.core.actors import Actor
from partnerdesk.subscriptions.models import Subscription
from partnerdesk.subscriptions.services import subscription_create

SUBSCRIPTIONS = 300
KILL_AFTER = 50  # renewals committed before the kill lands, somewhere inside the next ones


def database_url() -> str:
    """The URL of the test database this process uses, for the child process."""
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{settings['NAME']}"
    user = settings["USER"] or "postgres"
    password = f":{settings['PASSWORD']}" if settings["PASSWORD"] else ""
    host = f"{settings['HOST'] or '127.0.0.1'}:{settings['PORT'] or 5432}"
    return f"postgres://{user}{password}@{host}/{settings['NAME']}"


def start_run(at) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        # Small batches (transactions), so the kill lands between and inside batches.
        "PARTNERDESK_BILLING_BATCH": "10",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "partnerdesk.cli", "billing", "run", "--now", at.isoformat()],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _paid_subscriptions(actor, plan, now, count: int) -> None:
    customer = _customer(actor, now)
    for n in range(count):
        subscription_create(actor=actor, customer=customer, plan=plan, seats=1 + n % 3, now=now)
    Invoice.objects.update(status="paid", paid_at=now)  # paid, so the run only renews


def _assert_every_period_billed_once(now, count: int) -> None:
    assert Invoice.objects.count() == 2 * count
    numbers = sorted(Invoice.objects.values_list("number", flat=True))
    assert numbers == [f"2026-{n:06d}" for n in range(1, 2 * count + 1)]
    assert InvoiceCounter.objects.get(year=2026).last == 2 * count
    for sub in Subscription.objects.all():
        starts = list(
            InvoiceLine.objects.filter(subscription=sub, charge="period")
            .order_by("period_start")
            .values_list("period_start", flat=True)
        )
        assert starts == [now, sub.current_period_start], sub
        assert sub.current_period_start == now.replace(month=4)


@pytest.mark.django_db(transaction=True)
def test_killed_mid_run_then_rerun_bills_every_period_exactly_once(vendor, actor, monthly_plan, now):
    _paid_subscriptions(actor, monthly_plan, now, SUBSCRIPTIONS)
    first = Invoice.objects.count()
    assert first == SUBSCRIPTIONS
    at = now + timedelta(days=32)

    child = start_run(at)
    try:
        while Invoice.objects.count() < first + KILL_AFTER and child.poll() is None:
            time.sleep(0.005)
        child.send_signal(signal.SIGKILL)
    finally:
        child.wait(timeout=60)
    issued_before_kill = Invoice.objects.count() - first
    assert child.returncode == -signal.SIGKILL, child.stderr.read()
    assert 0 < issued_before_kill < SUBSCRIPTIONS, "the run was not interrupted mid-way"
    print(f"killed after {issued_before_kill} of {SUBSCRIPTIONS} renewals")

    rerun = start_run(at)
    out, err = rerun.communicate(timeout=300)
    assert rerun.returncode == 0, err
    assert out.startswith("billing run: ")
    assert f"renewed: {SUBSCRIPTIONS - issued_before_kill}" in out
    assert billing_run(now=at, actor=Actor.system()) == {}  # and again: nothing left
    _assert_every_period_billed_once(now, SUBSCRIPTIONS)


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_bill_every_period_exactly_once(vendor, actor, monthly_plan, now):
    count = 150
    _paid_subscriptions(actor, monthly_plan, now, count)
    at = now + timedelta(days=32)
    runs = [start_run(at), start_run(at)]
    outputs = [run.communicate(timeout=300) for run in runs]
    assert [run.returncode for run in runs] == [0, 0], outputs
    renewed = [int(out.split("renewed: ")[1].split(",")[0]) if "renewed: " in out else 0 for out, _ in outputs]
    assert sum(renewed) == count  # between them, each subscription renewed by exactly one run
    _assert_every_period_billed_once(now, count)


def _customer(actor, now):
    from partnerdesk.customers.tests.factories import make_customer

    return make_customer(actor, now=now, name="Crash Test GmbH", country="DE")
