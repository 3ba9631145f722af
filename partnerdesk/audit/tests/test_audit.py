import pytest
from django.db import IntegrityError, transaction

from partnerdesk.audit.models import AuditEvent
from partnerdesk.audit.services import audit_record
from partnerdesk.customers.tests.factories import make_customer


def test_audit_entries_cannot_be_changed_or_deleted(actor, now):
    make_customer(actor, now=now)
    event = AuditEvent.objects.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(action="forged")
    with pytest.raises(IntegrityError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()
    assert AuditEvent.objects.get().action == "customer.create"


@pytest.mark.django_db(transaction=True)
def test_audit_outside_a_transaction_is_a_bug(actor, now):
    customer = make_customer(actor, now=now)
    with pytest.raises(RuntimeError):
        audit_record(actor=actor, action="x", obj=customer)


@pytest.mark.django_db(transaction=True)
def test_a_failed_change_leaves_no_audit_entry(actor, now):
    from partnerdesk.customers.services import customer_create

    class Boom(Exception):
        pass

    with pytest.raises(Boom), transaction.atomic():
        customer_create(actor=actor, data={"company_name": "A GmbH", "country": "DE"}, now=now)
        raise Boom
    assert AuditEvent.objects.count() == 0
