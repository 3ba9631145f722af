"""Invoice numbers stay unique and gapless when many invoices are issued at once.

Runs on whichever database the suite runs on: PostgreSQL (row locks on the counter) in
CI's second pass, SQLite (one writer at a time) in the first.
"""

import threading
from datetime import timedelta

import pytest
from django.db import connection

from partnerdesk.billing.models import Invoice
from partnerdesk.subscriptions.services import subscription_change_seats
from partnerdesk.subscriptions.tests.factories import make_subscription

THREADS = 12


@pytest.mark.django_db(transaction=True)
def test_concurrent_top_ups_get_gapless_numbers(vendor, actor, annual_plan, now):
    subs = [make_subscription(actor, annual_plan, now=now, seats=1) for _ in range(THREADS)]
    at = now + timedelta(days=100)
    start = threading.Barrier(THREADS)
    crashed = []

    def top_up(sub) -> None:
        try:
            start.wait()
            for seats in (2, 3):
                subscription_change_seats(actor=actor, subscription=sub, seats=seats, now=at)
        except Exception as error:
            crashed.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=top_up, args=(sub,)) for sub in subs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert crashed == []
    numbers = sorted(Invoice.objects.values_list("number", flat=True))
    assert numbers == [f"2026-{n:06d}" for n in range(1, 3 * THREADS + 1)]
