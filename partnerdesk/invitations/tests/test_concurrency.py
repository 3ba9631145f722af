"""An invitation is accepted once, even when the link is followed many times at once.

Runs on PostgreSQL (row locks) in CI's second pass and on SQLite (one writer) in the first.
"""

import threading

import pytest
from django.db import connection

from partnerdesk.accounts.models import User
from partnerdesk.core.errors import DomainError
from partnerdesk.customers.models import CustomerMembership
from partnerdesk.customers.tests.factories import make_customer
from partnerdesk.invitations import services
from partnerdesk.invitations.tests.factories import token_sent_to

THREADS = 8


@pytest.mark.django_db(transaction=True)
def test_eight_simultaneous_acceptances_of_one_link_make_one_account(actor, now):
    make_customer(actor, now=now, name="Amstel Logistiek B.V.", invite=True)
    token = token_sent_to("it@amstel.example")
    start = threading.Barrier(THREADS)
    accepted, refused, crashed = [], [], []

    def accept(n: int) -> None:
        try:
            start.wait()
            services.invitation_accept(token=token, name=f"Person {n}", password=f"long enough password {n}", now=now)
            accepted.append(n)
        except DomainError as error:
            refused.append(error.code)
        except Exception as error:
            crashed.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=accept, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert crashed == []
    assert len(accepted) == 1
    assert refused == ["conflict"] * (THREADS - 1)
    [user] = User.objects.filter(email="it@amstel.example")
    assert user.name == f"Person {accepted[0]}"
    assert user.check_password(f"long enough password {accepted[0]}")
    assert CustomerMembership.objects.count() == 1
