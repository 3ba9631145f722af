"""The back office's invoices: vendor staff see all, download the PDF, record payments."""

from __future__ import annotations

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME

from partnerdesk.audit.models import AuditEvent
from partnerdesk.billing.models import Invoice

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client, django_user_model):
    client.force_login(django_user_model.objects.create_superuser(email="staff@vendor.example", password="pw"))
    return client


def test_all_invoices_listed_with_pdf(staff_client, vendor, subscription, other_subscription):
    page = staff_client.get("/admin/billing/invoice/").content.decode()
    for invoice in Invoice.objects.all():
        assert invoice.number in page
    invoice = Invoice.objects.get(subscription=subscription)
    pdf = staff_client.get(f"/admin/billing/invoice/{invoice.pk}/pdf/")
    assert pdf.content.startswith(b"%PDF")
    assert staff_client.get(f"/admin/billing/invoice/{invoice.pk}/change/").status_code == 200


def test_record_payment_asks_for_a_reference_then_records_through_the_service(staff_client, vendor, subscription):
    invoice = Invoice.objects.get(subscription=subscription)
    data = {"action": "record_payment", ACTION_CHECKBOX_NAME: [invoice.pk]}
    confirm = staff_client.post("/admin/billing/invoice/", data)
    assert confirm.status_code == 200 and "Payment reference" in confirm.content.decode()
    invoice.refresh_from_db()
    assert invoice.status == "open"
    staff_client.post("/admin/billing/invoice/", data | {"apply": "1", "reference": "SEPA 2026-03-12 #4711"})
    invoice.refresh_from_db()
    assert (invoice.status, invoice.payment_reference) == ("paid", "SEPA 2026-03-12 #4711")
    assert AuditEvent.objects.filter(action__icontains="payment").exists()


def test_resellers_cannot_open_the_back_office(client_in, subscription):
    response = client_in.get("/admin/billing/invoice/")
    assert response.status_code == 302
