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
    env = {**os.environ, "DATABASE_URL": database_url(), "DJANGO_SETTINGS_MODULE": "config.settings.production"}
    return subprocess.Popen(
        [sys.executable, "-m", "partnerdesk.cli", "billing", "run", "--now", at.isoformat()],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.mark.django_db(transaction=True)
def test_killed_mid_run_then_rerun_bills_every_period_exactly_once(vendor, actor, monthly_plan, now):
    customer = None
    for n in range(SUBSCRIPTIONS):
        sub = subscription_create(
            actor=actor, customer=customer or _customer(actor, now), plan=monthly_plan, seats=1 + n % 3, now=now
        )
        customer = sub.customer
    Invoice.objects.update(status="paid", paid_at=now)  # paid, so the run only renews
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

    assert Invoice.objects.count() == 2 * SUBSCRIPTIONS
    numbers = sorted(Invoice.objects.values_list("number", flat=True))
    assert numbers == [f"2026-{n:06d}" for n in range(1, 2 * SUBSCRIPTIONS + 1)]
    assert InvoiceCounter.objects.get(year=2026).last == 2 * SUBSCRIPTIONS
    for sub in Subscription.objects.all():
        starts = list(
            InvoiceLine.objects.filter(subscription=sub, charge="period")
            .order_by("period_start")
            .values_list("period_start", flat=True)
        )
        assert starts == [now, sub.current_period_start], sub
        assert sub.current_period_start == now.replace(month=4)


def _customer(actor, now):
    from partnerdesk.customers.tests.factories import make_customer

    return make_customer(actor, now=now, name="Crash Test GmbH", country="DE")
