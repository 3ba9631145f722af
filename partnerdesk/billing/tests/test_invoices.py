"""Invoices: issued with the subscription change, gapless numbers, immutable, credit notes."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction

from partnerdesk.audit.models import AuditEvent
from partnerdesk.billing.models import Invoice, InvoiceCounter, InvoiceLine
from partnerdesk.billing.services import credit_note_issue, invoice_issue_period, invoice_record_payment
from partnerdesk.core.actors import Actor
from partnerdesk.core.errors import DomainError
from partnerdesk.subscriptions.models import Subscription
from partnerdesk.subscriptions.services import subscription_activate, subscription_change_seats
from partnerdesk.subscriptions.tests.factories import make_subscription


def test_a_paid_plan_issues_its_first_invoice_with_the_subscription(vendor, actor, annual_plan, now):
    sub = make_subscription(actor, annual_plan, now=now, seats=5)
    invoice = Invoice.objects.get(subscription=sub)
    assert invoice.number == "2026-000001"
    assert invoice.public_id.startswith("inv_")
    # 5 x 120.00 = 600.00, 20 % off = 480.00, 19 % VAT = 91.20
    assert (invoice.subtotal, invoice.discount, invoice.net, invoice.tax, invoice.total) == (
        Decimal("600.00"),
        Decimal("120.00"),
        Decimal("480.00"),
        Decimal("91.20"),
        Decimal("571.20"),
    )
    [line] = invoice.lines.all()
    assert (line.charge, line.seats, line.months, line.unit_price, line.period_start, line.period_end) == (
        "period",
        5,
        12,
        Decimal("10.0000"),
        now,
        sub.current_period_end,
    )
    assert (line.product_name, line.plan_name) == ("AxCrypt Business", "Annual")
    assert (invoice.seller_name, invoice.seller_vat_id, invoice.seller_iban) == (
        "Cloudwerk Software GmbH",
        "DE136695976",
        "DE89370400440532013000",
    )
    assert (invoice.buyer_name, invoice.buyer_country) == ("Isar Systemhaus GmbH", "DE")
    assert invoice.due_at == now + timedelta(days=14)
    assert AuditEvent.objects.filter(action="invoice.issue", object_id=invoice.public_id).count() == 1


def test_a_trial_issues_no_invoice_until_it_converts(vendor, actor, trial_plan, now):
    sub = make_subscription(actor, trial_plan, now=now, seats=10)
    assert Invoice.objects.count() == 0
    end = sub.trial_ends_at
    subscription_activate(actor=Actor.system(), subscription=sub, now=end + timedelta(hours=1))
    invoice = Invoice.objects.get(subscription=sub)
    line = invoice.lines.get()
    assert (line.period_start, line.period_end) == (end, datetime(2026, 4, 24, 9, 30, tzinfo=UTC))
    # 10 x 1.80 = 18.00, 20 % off = 14.40, VAT 2.74 (2.736 rounded half up)
    assert (invoice.net, invoice.tax, invoice.total) == (Decimal("14.40"), Decimal("2.74"), Decimal("17.14"))


def test_numbers_are_sequential_per_year_and_restart_in_a_new_year(vendor, actor, monthly_plan, now):
    for _ in range(3):
        make_subscription(actor, monthly_plan, now=now, seats=1)
    new_year = datetime(2027, 1, 1, 0, 0, 1, tzinfo=UTC)
    make_subscription(actor, monthly_plan, now=new_year, seats=1)
    numbers = sorted(Invoice.objects.values_list("number", flat=True))
    assert numbers == ["2026-000001", "2026-000002", "2026-000003", "2027-000001"]
    assert dict(InvoiceCounter.objects.values_list("year", "last")) == {2026: 3, 2027: 1}


def test_a_failed_change_takes_its_number_with_it(vendor, actor, annual_plan, now):
    sub = make_subscription(actor, annual_plan, now=now, seats=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        locked = Subscription.objects.select_for_update().get(pk=sub.pk)
        # the period was billed already: the uniqueness rule refuses a second charge
        invoice_issue_period(
            actor=actor,
            subscription=locked,
            seats=1,
            start=sub.current_period_start,
            end=sub.current_period_end,
            now=now,
        )
    make_subscription(actor, annual_plan, now=now, seats=1)
    assert sorted(Invoice.objects.values_list("number", flat=True)) == ["2026-000001", "2026-000002"]


def test_the_database_refuses_a_second_charge_for_the_same_period(vendor, actor, annual_plan, now):
    sub = make_subscription(actor, annual_plan, now=now, seats=1)
    line = InvoiceLine.objects.get(subscription=sub)
    with pytest.raises(IntegrityError), transaction.atomic():
        InvoiceLine.objects.create(
            invoice=line.invoice,
            position=2,
            subscription=sub,
            charge="period",
            product_name="x",
            plan_name="x",
            seats=1,
            months=12,
            unit_price=Decimal(10),
            period_start=line.period_start,
            period_end=line.period_end,
            amount=Decimal(120),
            discount_percent=Decimal(0),
            discount=Decimal(0),
        )


def test_billed_to_exactly_one_party(vendor, actor, annual_plan, now):
    sub = make_subscription(actor, annual_plan, now=now, seats=1)
    invoice = Invoice.objects.get(subscription=sub)
    fields = {f.attname: getattr(invoice, f.attname) for f in Invoice._meta.concrete_fields}
    fields.update(id=None, public_id="", number="2026-999999", billed_customer_id=sub.customer_id)
    with pytest.raises(IntegrityError), transaction.atomic():
        Invoice.objects.create(**fields)


@pytest.mark.parametrize(
    ("column", "value"),
    [("total", Decimal("1.00")), ("number", "2026-000099"), ("buyer_name", "Someone else"), ("tax_rate", 0)],
)
def test_issued_invoice_content_cannot_be_changed_even_by_sql(vendor, actor, annual_plan, now, column, value):
    sub = make_subscription(actor, annual_plan, now=now, seats=1)
    invoice = Invoice.objects.get(subscription=sub)
    with pytest.raises((IntegrityError, DatabaseError)), transaction.atomic():
        Invoice.objects.filter(pk=invoice.pk).update(**{column: value})
    fresh = Invoice.objects.get(pk=invoice.pk)
    assert (fresh.total, fresh.number, fresh.buyer_name) == (invoice.total, invoice.number, invoice.buyer_name)


def test_invoices_and_lines_cannot_be_deleted(vendor, actor, annual_plan, now):
    sub = make_subscription(actor, annual_plan, now=now, seats=1)
    invoice = Invoice.objects.get(subscription=sub)
    with pytest.raises((IntegrityError, DatabaseError)), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM billing_invoiceline WHERE invoice_id = %s", [invoice.pk])
    with pytest.raises((IntegrityError, DatabaseError)), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE billing_invoiceline SET amount = 0 WHERE invoice_id = %s", [invoice.pk])
    with pytest.raises((IntegrityError, DatabaseError)), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM billing_invoice WHERE id = %s", [invoice.pk])
    assert Invoice.objects.filter(pk=invoice.pk).exists()
    assert invoice.lines.count() == 1


def test_a_paid_invoice_is_final(vendor, vendor_actor, actor, annual_plan, now):
    sub = make_subscription(actor, annual_plan, now=now, seats=1)
    invoice = invoice_record_payment(
        actor=vendor_actor, invoice=Invoice.objects.get(subscription=sub), reference="SEPA 123", now=now
    )
    assert (invoice.status, invoice.paid_at, invoice.payment_reference) == ("paid", now, "SEPA 123")
    with pytest.raises((IntegrityError, DatabaseError)), transaction.atomic():
        Invoice.objects.filter(pk=invoice.pk).update(status="open")
    with pytest.raises(DomainError) as error:
        invoice_record_payment(actor=vendor_actor, invoice=invoice, now=now)
    assert error.value.code == "conflict"


def test_only_vendor_staff_record_payments_and_a_refusal_changes_nothing(vendor, actor, annual_plan, now):
    sub = make_subscription(actor, annual_plan, now=now, seats=1)
    invoice = Invoice.objects.get(subscription=sub)
    audits = AuditEvent.objects.count()
    with pytest.raises(DomainError) as error:
        invoice_record_payment(actor=actor, invoice=invoice, now=now)
    assert error.value.code == "permission_denied"
    assert Invoice.objects.get(pk=invoice.pk).status == "open"
    assert AuditEvent.objects.count() == audits


def test_recording_a_payment_is_audited(vendor, vendor_actor, actor, annual_plan, now):
    sub = make_subscription(actor, annual_plan, now=now, seats=1)
    invoice = invoice_record_payment(actor=vendor_actor, invoice=Invoice.objects.get(subscription=sub), now=now)
    event = AuditEvent.objects.get(action="invoice.record_payment")
    assert (event.object_id, event.before, event.after["status"]) == (invoice.public_id, {"status": "open"}, "paid")


def test_a_credit_note_voids_an_open_invoice_with_negative_amounts(vendor, vendor_actor, actor, annual_plan, now):
    sub = make_subscription(actor, annual_plan, now=now, seats=5)
    original = Invoice.objects.get(subscription=sub)
    note = credit_note_issue(actor=vendor_actor, invoice=original, reason="wrong seats", now=now)
    assert (note.kind, note.corrects, note.number) == ("credit_note", original, "2026-000002")
    assert (note.total, note.tax, note.subtotal) == (-original.total, -original.tax, -original.subtotal)
    assert [line.amount for line in note.lines.all()] == [Decimal("-600.00")]
    assert Invoice.objects.get(pk=original.pk).status == "void"
    with pytest.raises(DomainError) as error:
        credit_note_issue(actor=vendor_actor, invoice=original, now=now)
    assert error.value.code == "conflict"
    assert Invoice.objects.count() == 2


def test_a_credit_note_for_a_paid_invoice_leaves_it_paid(vendor, vendor_actor, actor, annual_plan, now):
    sub = make_subscription(actor, annual_plan, now=now, seats=5)
    original = invoice_record_payment(actor=vendor_actor, invoice=Invoice.objects.get(subscription=sub), now=now)
    note = credit_note_issue(actor=vendor_actor, invoice=original, now=now)
    assert (Invoice.objects.get(pk=original.pk).status, note.status) == ("paid", "open")


def test_invoices_record_the_payment_method(vendor, actor, annual_plan, now):
    sub = make_subscription(actor, annual_plan, now=now, seats=1, payment_method="card")
    assert Invoice.objects.get(subscription=sub).payment_method == "card"


def test_top_ups_follow_in_number_order(vendor, actor, annual_plan, now):
    sub = make_subscription(actor, annual_plan, now=now, seats=1)
    _, first = subscription_change_seats(actor=actor, subscription=sub, seats=2, now=now + timedelta(days=1))
    _, second = subscription_change_seats(actor=actor, subscription=sub, seats=3, now=now + timedelta(days=2))
    assert [first.number, second.number] == ["2026-000002", "2026-000003"]


def test_the_seller_is_the_vendor_row_as_it_is_now(vendor, settings):
    from partnerdesk.accounts.models import Vendor
    from partnerdesk.billing.services import seller_snapshot

    Vendor.objects.update(address="Hafenstraße 1\n20457 Hamburg", bank_name="Hamburger Sparkasse")
    assert seller_snapshot() == {
        "seller_name": "Cloudwerk Software GmbH",
        "seller_address": "Hafenstraße 1\n20457 Hamburg",
        "seller_country": "DE",
        "seller_vat_id": "DE136695976",
        "seller_bank_name": "Hamburger Sparkasse",
        "seller_iban": "DE89370400440532013000",
        "seller_bic": "COBADEFFXXX",
    }
    Vendor.objects.all().delete()
    settings.VENDOR_COUNTRY = "AT"
    assert seller_snapshot() == {"seller_name": "", "seller_country": "AT"}
