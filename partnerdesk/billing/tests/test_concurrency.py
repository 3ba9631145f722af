"""Invoice numbers stay unique and gapless when many invoices are issued at once.

Runs on whichever database the suite runs on: PostgreSQL (row locks on the counter) in
CI's second pass, SQLite (one writer at a time) in the first.
"""

import threading
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection

from partnerdesk.billing.models import Invoice
from partnerdesk.subscriptions.services import subscription_change_seats
from partnerdesk.subscriptions.tests.factories import make_subscription
from partnerdesk.webhooks.models import Delivery, Event, WebhookEndpoint

THREADS = 12


def _top_up_at_once(actor, subs, seat_counts, at) -> list[str]:
    """Each subscription topped up to each of ``seat_counts`` in its own thread, all threads
    starting together; the errors they met."""
    start = threading.Barrier(len(subs))
    crashed = []

    def top_up(sub) -> None:
        try:
            start.wait()
            for seats in seat_counts:
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
    return crashed


@pytest.mark.django_db(transaction=True)
def test_concurrent_top_ups_get_gapless_numbers(vendor, actor, annual_plan, now):
    subs = [make_subscription(actor, annual_plan, now=now, seats=1) for _ in range(THREADS)]
    crashed = _top_up_at_once(actor, subs, (2, 3), now + timedelta(days=100))
    assert crashed == []
    numbers = sorted(Invoice.objects.values_list("number", flat=True))
    assert numbers == [f"2026-{n:06d}" for n in range(1, 3 * THREADS + 1)]


@pytest.mark.django_db(transaction=True)
def test_the_first_invoices_of_a_new_year_start_its_numbers_once(vendor, actor, annual_plan):
    # No counter for 2027 yet: every thread's invoice would be its first.
    subs = [
        make_subscription(actor, annual_plan, now=datetime(2026, 12, 1, 9, tzinfo=UTC), seats=1) for _ in range(THREADS)
    ]
    crashed = _top_up_at_once(actor, subs, (2,), datetime(2027, 1, 5, 9, tzinfo=UTC))

    assert crashed == []
    numbers = sorted(Invoice.objects.filter(number__startswith="2027-").values_list("number", flat=True))
    assert numbers == [f"2027-{n:06d}" for n in range(1, THREADS + 1)]


@pytest.mark.django_db(transaction=True)
def test_the_first_top_ups_of_a_provisioned_product_create_its_endpoint_once(vendor, actor, trial_plan, now):
    # In the trial a top-up is free: no invoice number makes the threads take turns.
    subs = [make_subscription(actor, trial_plan, now=now, seats=1) for _ in range(THREADS)]
    product = trial_plan.product
    product.provisioning_url = "https://provisioning.example/partnerdesk"
    product.save()
    WebhookEndpoint.objects.filter(product=product).delete()  # none yet: each top-up would create it
    crashed = _top_up_at_once(actor, subs, (2,), now + timedelta(days=1))

    assert crashed == []
    endpoint = WebhookEndpoint.objects.get(product=product)
    changes = Event.objects.filter(type="subscription.seats_changed")
    assert changes.count() == THREADS
    assert Delivery.objects.filter(endpoint=endpoint, event__in=changes).count() == THREADS
