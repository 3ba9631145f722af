from __future__ import annotations

import pytest

from partnerdesk.billing.models import Invoice

pytestmark = pytest.mark.django_db


def test_invoice_list_view_and_pdf(vendor, client_in, subscription, other_subscription):
    invoice = Invoice.objects.get(subscription=subscription)
    theirs = Invoice.objects.get(subscription=other_subscription)
    response = client_in.get("/console/invoices/")
    assert [i.number for i in response.context["page"]] == [invoice.number]
    html = response.content.decode()
    assert invoice.number in html and theirs.number not in html
    assert "€342.72" in html  # 3 x 120.00 = 360.00, 20 % discount -> 288.00 net, DE VAT 19 % 54.72
    detail = client_in.get(f"/console/invoices/{invoice.public_id}/").content.decode()
    for text in ["€360.00", "€72.00", "€54.72", "€342.72", "IBAN DE89370400440532013000"]:
        assert text in detail
    pdf = client_in.get(f"/console/invoices/{invoice.public_id}/pdf")
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf["Content-Disposition"] == f'attachment; filename="{invoice.number}.pdf"'
    assert pdf.content.startswith(b"%PDF")


def test_another_resellers_invoice_is_not_found(client_in, other_subscription):
    theirs = Invoice.objects.get(subscription=other_subscription)
    assert client_in.get(f"/console/invoices/{theirs.public_id}/").status_code == 404
    assert client_in.get(f"/console/invoices/{theirs.public_id}/pdf").status_code == 404


def test_invoices_filter_by_status_and_acting_on(client_in, subscription, actor, annual_plan, now):
    from partnerdesk.customers.tests.factories import make_customer
    from partnerdesk.subscriptions.tests.factories import make_subscription

    second = make_subscription(actor, annual_plan, now=now, customer=make_customer(actor, now=now, name="Zweite AG"))
    assert len(client_in.get("/console/invoices/?status=open").context["page"]) == 2
    assert len(client_in.get("/console/invoices/?status=paid").context["page"]) == 0
    assert len(client_in.get("/console/invoices/?status=bogus").context["page"]) == 2
    client_in.post("/console/acting-on", {"customer": second.customer.public_id})
    assert [i.customer.company_name for i in client_in.get("/console/invoices/").context["page"]] == ["Zweite AG"]
