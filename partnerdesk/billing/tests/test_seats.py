"""Seat top-ups and reductions: the quote, the order, the invoice (SPEC "Top-up proration")."""

from datetime import timedelta
from decimal import Decimal

import pytest

from partnerdesk.accounts.models import User
from partnerdesk.audit.models import AuditEvent
from partnerdesk.billing.models import Invoice, InvoiceLine
from partnerdesk.billing.tests.factories import make_purchasing_customer_admin
from partnerdesk.core.actors import Actor
from partnerdesk.core.errors import DomainError
from partnerdesk.customers.tests.factories import make_customer
from partnerdesk.subscriptions.models import SeatLedgerEntry, Subscription
from partnerdesk.subscriptions.services import (
    admin_add,
    member_add,
    subscription_change_seats,
    subscription_seats_preview,
)
from partnerdesk.subscriptions.tests.factories import make_subscription


def money(quote_or_invoice) -> tuple[str, ...]:
    q = quote_or_invoice
    return (str(q.subtotal), str(q.discount), str(q.net), str(q.tax), str(q.total))


def state(sub: Subscription) -> tuple:
    fresh = Subscription.objects.get(pk=sub.pk)
    return (
        fresh.seats,
        fresh.pending_seats,
        Invoice.objects.count(),
        InvoiceLine.objects.count(),
        SeatLedgerEntry.objects.count(),
        AuditEvent.objects.count(),
    )


@pytest.fixture
def golden(vendor, actor, annual_plan, now):
    """Annual plan 120.00/seat, reseller discount 20 %, German reseller without a VAT ID,
    German vendor (19 %), 50 days left in the term."""
    sub = make_subscription(actor, annual_plan, now=now, seats=5)
    return sub, sub.current_period_end - timedelta(days=50)


def test_golden_preview_3_more_seats_with_50_days_left(golden, actor):
    sub, at = golden
    quote = subscription_seats_preview(actor=actor, subscription=sub, seats=8, now=at)
    assert quote.effective == "now"
    assert quote.months_charged == 2
    [line] = quote.lines
    assert (line.seats, line.months, line.unit_price, line.amount, line.discount) == (
        3,
        2,
        Decimal("10.0000"),
        Decimal("60.00"),
        Decimal("12.00"),
    )
    assert money(quote) == ("60.00", "12.00", "48.00", "9.12", "57.12")
    assert quote.tax_rate == Decimal("19")
    assert quote.reverse_charge is False


def test_golden_order_adds_the_seats_at_once_and_invoices_them(golden, actor):
    sub, at = golden
    before_invoices = Invoice.objects.count()
    changed, invoice = subscription_change_seats(actor=actor, subscription=sub, seats=8, now=at)
    assert changed.seats == 8
    assert Invoice.objects.count() == before_invoices + 1
    assert money(invoice) == ("60.00", "12.00", "48.00", "9.12", "57.12")
    assert invoice.billed_reseller == sub.reseller and invoice.billed_customer is None
    assert (invoice.issued_at, invoice.due_at) == (at, at + timedelta(days=14))
    assert invoice.status == "open"
    [line] = invoice.lines.all()
    assert (line.charge, line.seats, line.months, line.period_start, line.period_end) == (
        "top_up",
        3,
        2,
        at,
        sub.current_period_end,
    )
    entry = SeatLedgerEntry.objects.filter(subscription=sub).last()
    assert (entry.reason, entry.seats_from, entry.seats_to, entry.effective) == ("top_up", 5, 8, "now")
    assert line.ledger_entry == entry
    # usable at once: all 8 seats can be assigned
    for n in range(8):
        member_add(actor=actor, subscription=sub, email=f"m{n}@kunde.example", now=at)
    assert Subscription.objects.get(pk=sub.pk).assigned == 8


def test_preview_and_order_agree(golden, actor):
    sub, at = golden
    quote = subscription_seats_preview(actor=actor, subscription=sub, seats=6, now=at)
    _, invoice = subscription_change_seats(actor=actor, subscription=sub, seats=6, now=at)
    assert money(quote) == money(invoice)


def test_reverse_charge_for_an_eu_reseller_with_a_valid_vat_id(vendor, other_actor, other_reseller, annual_plan, now):
    other_reseller.vat_id = "NL004495445B01"
    other_reseller.language = "nl"
    other_reseller.save()
    customer = make_customer(other_actor, now=now, name="Amstel Logistiek B.V.")
    sub = make_subscription(other_actor, annual_plan, now=now, seats=5, customer=customer)
    at = sub.current_period_end - timedelta(days=50)
    _, invoice = subscription_change_seats(actor=other_actor, subscription=sub, seats=8, now=at)
    # 15 % discount: 60.00 - 9.00 = 51.00, no VAT
    assert money(invoice) == ("60.00", "9.00", "51.00", "0.00", "51.00")
    assert invoice.reverse_charge is True
    assert invoice.tax_rate == Decimal("0")
    assert "Btw verlegd" in invoice.tax_note and "196" in invoice.tax_note
    assert invoice.buyer_vat_id == "NL004495445B01"


def test_an_eu_reseller_without_a_vat_id_pays_the_vendor_rate(vendor, other_actor, annual_plan, now):
    sub = make_subscription(other_actor, annual_plan, now=now, seats=5)
    at = sub.current_period_end - timedelta(days=50)
    quote = subscription_seats_preview(actor=other_actor, subscription=sub, seats=8, now=at)
    assert money(quote) == ("60.00", "9.00", "51.00", "9.69", "60.69")
    assert quote.reverse_charge is False


def test_outside_the_eu_no_vat(vendor, other_actor, other_reseller, annual_plan, now):
    other_reseller.country = "CH"
    other_reseller.save()
    sub = make_subscription(other_actor, annual_plan, now=now, seats=5)
    at = sub.current_period_end - timedelta(days=50)
    _, invoice = subscription_change_seats(actor=other_actor, subscription=sub, seats=8, now=at)
    assert money(invoice) == ("60.00", "9.00", "51.00", "0.00", "51.00")
    assert invoice.reverse_charge is False
    assert invoice.tax_note.startswith("Not subject to EU VAT")


def test_a_customer_admin_with_purchase_rights_buys_at_list_price_billed_to_the_customer(golden, actor):
    sub, at = golden
    buyer = make_purchasing_customer_admin(actor, sub, now=at)
    _, invoice = subscription_change_seats(actor=buyer, subscription=sub, seats=8, now=at)
    assert invoice.billed_customer == sub.customer and invoice.billed_reseller is None
    assert invoice.buyer_name == sub.customer.company_name
    # the customer is German (factory), no discount: 60.00 + 19 %
    assert money(invoice) == ("60.00", "0.00", "60.00", "11.40", "71.40")
    assert invoice.lines.get().discount_percent == Decimal("0")


def test_a_customer_admin_without_purchase_rights_is_refused_and_nothing_changes(golden, actor, now):
    sub, at = golden
    admin_add(actor=actor, subscription=sub, email="it@kunde.example", now=at)
    user = User.objects.create_user(email="it@kunde.example", password="x")
    customer_actor = Actor.customer_user(user, sub.customer)
    before = state(sub)
    for call in (subscription_change_seats, subscription_seats_preview):
        with pytest.raises(DomainError) as error:
            call(actor=customer_actor, subscription=sub, seats=8, now=at)
        assert error.value.code == "permission_denied"
    assert state(sub) == before


def test_a_customer_admin_cannot_reduce_seats(golden, actor):
    sub, at = golden
    buyer = make_purchasing_customer_admin(actor, sub, now=at)
    before = state(sub)
    with pytest.raises(DomainError) as error:
        subscription_change_seats(actor=buyer, subscription=sub, seats=3, now=at)
    assert error.value.code == "permission_denied"
    assert state(sub) == before


def test_another_resellers_subscription_is_not_found_and_unchanged(golden, other_actor):
    sub, at = golden
    before = state(sub)
    for call in (subscription_change_seats, subscription_seats_preview):
        with pytest.raises(DomainError) as error:
            call(actor=other_actor, subscription=sub, seats=8, now=at)
        assert error.value.code == "not_found"
    assert state(sub) == before


def test_fewer_seats_are_scheduled_for_the_renewal_without_an_invoice(golden, actor):
    sub, at = golden
    quote = subscription_seats_preview(actor=actor, subscription=sub, seats=3, now=at)
    assert (quote.effective, quote.lines, quote.total) == ("renewal", [], Decimal("0.00"))
    invoices = Invoice.objects.count()
    changed, invoice = subscription_change_seats(actor=actor, subscription=sub, seats=3, now=at)
    assert invoice is None
    assert (changed.seats, changed.pending_seats) == (5, 3)
    assert Invoice.objects.count() == invoices


def test_a_reduction_below_the_assigned_seats_is_refused(golden, actor):
    sub, at = golden
    for n in range(4):
        member_add(actor=actor, subscription=sub, email=f"m{n}@kunde.example", now=at)
    before = state(sub)
    for call in (subscription_change_seats, subscription_seats_preview):
        with pytest.raises(DomainError) as error:
            call(actor=actor, subscription=sub, seats=3, now=at)
        assert error.value.code == "conflict"
    assert state(sub) == before


@pytest.mark.parametrize("seats", [5, 0, -1, "7", 2.5], ids=["same", "zero", "negative", "string", "float"])
def test_invalid_seat_numbers_are_refused(golden, actor, seats):
    sub, at = golden
    before = state(sub)
    with pytest.raises(DomainError) as error:
        subscription_change_seats(actor=actor, subscription=sub, seats=seats, now=at)
    assert error.value.code == "invalid_request"
    assert state(sub) == before


def test_a_top_up_during_the_trial_is_free(vendor, actor, trial_plan, now):
    sub = make_subscription(actor, trial_plan, now=now, seats=5)
    quote = subscription_seats_preview(actor=actor, subscription=sub, seats=7, now=now + timedelta(days=3))
    assert quote.lines == [] and quote.total == Decimal("0.00")
    changed, invoice = subscription_change_seats(actor=actor, subscription=sub, seats=7, now=now + timedelta(days=3))
    assert (changed.seats, invoice) == (7, None)
    assert Invoice.objects.count() == 0


def test_daily_policy(vendor, actor, annual_plan, now):
    annual_plan.proration_policy = "daily"
    annual_plan.save()
    sub = make_subscription(actor, annual_plan, now=now, seats=5)
    at = sub.current_period_end - timedelta(days=50)
    _, invoice = subscription_change_seats(actor=actor, subscription=sub, seats=8, now=at)
    # 3 x 120 x 50 / 365 = 49.315… → 49.32; discount 20 % = 9.86; net 39.46; VAT 7.50
    assert money(invoice) == ("49.32", "9.86", "39.46", "7.50", "46.96")
    assert invoice.lines.get().days == 50


def test_none_policy_adds_seats_without_an_invoice(vendor, actor, annual_plan, now):
    annual_plan.proration_policy = "none"
    annual_plan.save()
    sub = make_subscription(actor, annual_plan, now=now, seats=5)
    invoices = Invoice.objects.count()
    changed, invoice = subscription_change_seats(actor=actor, subscription=sub, seats=8, now=now + timedelta(days=30))
    assert (changed.seats, invoice) == (8, None)
    assert Invoice.objects.count() == invoices


def test_two_top_ups_at_the_same_moment_are_two_lines(golden, actor):
    sub, at = golden
    subscription_change_seats(actor=actor, subscription=sub, seats=6, now=at)
    subscription_change_seats(actor=actor, subscription=sub, seats=7, now=at)
    assert InvoiceLine.objects.filter(subscription=sub, charge="top_up").count() == 2
