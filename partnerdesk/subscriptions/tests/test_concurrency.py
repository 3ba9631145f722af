"""assigned <= seats holds when many requests race for the last seats.

Runs on whichever database the suite runs on: PostgreSQL (row locks) in CI's second
pass, SQLite (one writer at a time) in the first.
"""

import threading

import pytest
from django.db import connection

from partnerdesk.core.errors import DomainError
from partnerdesk.subscriptions import services
from partnerdesk.subscriptions.models import Member, Subscription
from partnerdesk.subscriptions.tests.factories import make_subscription

THREADS = 24


@pytest.mark.django_db(transaction=True)
def test_24_threads_race_for_5_free_seats(actor, annual_plan, now):
    sub = make_subscription(actor, annual_plan, now=now, seats=8)
    for n in range(3):
        services.member_add(actor=actor, subscription=sub, email=f"early{n}@kunde.example", now=now)

    start = threading.Barrier(THREADS)
    added, refused, crashed = [], [], []

    def add(n: int) -> None:
        try:
            start.wait()
            services.member_add(actor=actor, subscription=sub, email=f"racer{n}@kunde.example", now=now)
            added.append(n)
        except DomainError as error:
            refused.append(error.code)
        except Exception as error:
            crashed.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=add, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert crashed == []
    assert len(added) == 5
    assert refused == ["conflict"] * (THREADS - 5)
    fresh = Subscription.objects.get(pk=sub.pk)
    assert (fresh.seats, fresh.assigned) == (8, 8)
    assert Member.objects.filter(subscription=sub).count() == 8
