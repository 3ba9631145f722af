"""Invoices, their lines, the yearly number counter, dunning reminders and cached PDFs.

An issued invoice is immutable: database triggers (migration 0002) refuse any change to
its content and any delete; only the payment state (status, paid_at, voided_at,
payment_reference) may move, and only away from ``open``. Corrections are credit notes.
Lines are append-only.

Exactly once: a regular invoice line for a subscription's period charge is unique per
(subscription, period_start), and a top-up line is unique per seat-ledger entry, so a
billing run that is killed and re-run cannot bill anything twice.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from partnerdesk.accounts.models import LANGUAGE_CHOICES, Reseller
from partnerdesk.core.ids import PublicIdField
from partnerdesk.customers.models import Customer
from partnerdesk.subscriptions.models import PaymentMethod, SeatLedgerEntry, Subscription

MONEY = {"max_digits": 14, "decimal_places": 2}


class InvoiceCounter(models.Model):
    """The last invoice number issued in ``year``. Started or counted up, and so locked, by
    the transaction that issues an invoice (one statement: ``billing.services.reserve_numbers``),
    so numbers are gapless: a rolled-back or killed transaction takes its number with it."""

    year = models.PositiveSmallIntegerField(unique=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class Invoice(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", "Open"
        PAID = "paid", "Paid"
        VOID = "void", "Void"

    class Kind(models.TextChoices):
        INVOICE = "invoice", "Invoice"
        CREDIT_NOTE = "credit_note", "Credit note"

    public_id = PublicIdField(prefix="inv")
    number = models.CharField(max_length=20, unique=True)
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.INVOICE)
    corrects = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="credit_notes")
    status = models.CharField(max_length=5, choices=Status.choices, default=Status.OPEN)

    # Who pays: exactly one of the two (database check). ``reseller`` and ``customer`` below
    # are the subscription's reseller and customer, kept for filtering. No index of their
    # own for the billed party: inv_reseller_newest/inv_customer_newest start with it.
    billed_reseller = models.ForeignKey(
        Reseller, null=True, blank=True, on_delete=models.PROTECT, related_name="invoices", db_index=False
    )
    billed_customer = models.ForeignKey(
        Customer, null=True, blank=True, on_delete=models.PROTECT, related_name="invoices", db_index=False
    )
    subscription = models.ForeignKey(Subscription, on_delete=models.PROTECT, related_name="invoices")
    reseller = models.ForeignKey(Reseller, on_delete=models.PROTECT, related_name="+")
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="+")

    # Snapshots: an invoice shows the parties as they were when it was issued.
    seller_name = models.CharField(max_length=200)
    seller_address = models.TextField(blank=True)
    seller_country = models.CharField(max_length=2)
    seller_vat_id = models.CharField(max_length=20, blank=True)
    seller_bank_name = models.CharField(max_length=200, blank=True)
    seller_iban = models.CharField(max_length=34, blank=True)
    seller_bic = models.CharField(max_length=11, blank=True)
    buyer_name = models.CharField(max_length=200)
    buyer_address = models.TextField(blank=True)
    buyer_country = models.CharField(max_length=2)
    buyer_vat_id = models.CharField(max_length=20, blank=True)
    language = models.CharField(max_length=5, choices=LANGUAGE_CHOICES, default="en")

    currency = models.CharField(max_length=3)
    subtotal = models.DecimalField(**MONEY)
    discount = models.DecimalField(**MONEY)
    net = models.DecimalField(**MONEY)
    tax_rate = models.DecimalField(max_digits=5, decimal_places=2)
    tax = models.DecimalField(**MONEY)
    total = models.DecimalField(**MONEY)
    reverse_charge = models.BooleanField(default=False)
    tax_note = models.CharField(max_length=300, blank=True)
    payment_method = models.CharField(max_length=20, choices=PaymentMethod.choices)

    issued_at = models.DateTimeField()
    due_at = models.DateTimeField()
    paid_at = models.DateTimeField(null=True, blank=True)
    voided_at = models.DateTimeField(null=True, blank=True)
    payment_reference = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-issued_at", "-id"]
        indexes = [
            models.Index(fields=["billed_reseller", "-issued_at", "-id"], name="inv_reseller_newest"),
            models.Index(fields=["billed_customer", "-issued_at", "-id"], name="inv_customer_newest"),
            models.Index(fields=["status", "due_at"], name="inv_status_due"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(billed_reseller__isnull=False, billed_customer__isnull=True)
                    | Q(billed_reseller__isnull=True, billed_customer__isnull=False)
                ),
                name="inv_billed_to_exactly_one",
            ),
            models.CheckConstraint(condition=Q(status__in=["open", "paid", "void"]), name="inv_status_valid"),
            models.CheckConstraint(condition=Q(kind__in=["invoice", "credit_note"]), name="inv_kind_valid"),
            models.CheckConstraint(
                condition=Q(kind="invoice", corrects__isnull=True) | Q(kind="credit_note", corrects__isnull=False),
                name="inv_credit_note_corrects_one",
            ),
            models.UniqueConstraint(
                fields=["corrects"], condition=Q(kind="credit_note"), name="inv_one_credit_note_per_invoice"
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def billed_to(self) -> Reseller | Customer:
        return self.billed_reseller or self.billed_customer


class InvoiceLine(models.Model):
    """One charge: seats x months (or days) of a plan for one subscription and period."""

    class Charge(models.TextChoices):
        PERIOD = "period", "Subscription period"
        TOP_UP = "top_up", "Additional seats"
        CREDIT = "credit", "Credit"

    # Indexed by invline_position_unique (invoice, position).
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="lines", db_index=False)
    position = models.PositiveSmallIntegerField()
    subscription = models.ForeignKey(Subscription, on_delete=models.PROTECT, related_name="invoice_lines")
    charge = models.CharField(max_length=10, choices=Charge.choices)
    ledger_entry = models.OneToOneField(
        SeatLedgerEntry, null=True, blank=True, on_delete=models.PROTECT, related_name="invoice_line"
    )
    product_name = models.CharField(max_length=200)
    plan_name = models.CharField(max_length=200)
    seats = models.IntegerField()
    months = models.PositiveSmallIntegerField(null=True, blank=True)
    days = models.PositiveSmallIntegerField(null=True, blank=True)
    unit_price = models.DecimalField(max_digits=14, decimal_places=4)
    period_start = models.DateTimeField()
    period_end = models.DateTimeField()
    amount = models.DecimalField(**MONEY)
    discount_percent = models.DecimalField(max_digits=5, decimal_places=2)
    discount = models.DecimalField(**MONEY)

    class Meta:
        ordering = ["invoice", "position"]
        constraints = [
            # The exactly-once rule of the billing run: one period charge per period.
            models.UniqueConstraint(
                fields=["subscription", "period_start"],
                condition=Q(charge="period"),
                name="invline_one_period_charge",
            ),
            models.UniqueConstraint(fields=["invoice", "position"], name="invline_position_unique"),
            models.CheckConstraint(condition=Q(charge__in=["period", "top_up", "credit"]), name="invline_charge_valid"),
            models.CheckConstraint(
                condition=~Q(charge="top_up") | Q(ledger_entry__isnull=False), name="invline_top_up_has_ledger"
            ),
            models.CheckConstraint(condition=Q(period_end__gt=models.F("period_start")), name="invline_period_forward"),
        ]

    def __str__(self) -> str:
        return f"{self.invoice_id}#{self.position}"


class DunningReminder(models.Model):
    """A payment reminder for an overdue invoice: level 1 after 3 days, level 2 after 10.

    Unique per (invoice, level), so a re-run billing run never reminds twice.
    Sending goes through :func:`partnerdesk.billing.dunning.deliver_reminder`.
    """

    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="reminders")
    level = models.PositiveSmallIntegerField()
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["invoice", "level"]
        constraints = [
            models.UniqueConstraint(fields=["invoice", "level"], name="dunning_once_per_level"),
            models.CheckConstraint(condition=Q(level__in=[1, 2]), name="dunning_level_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.invoice_id} reminder {self.level}"


class InvoicePdf(models.Model):
    """The rendered PDF, cached: rendered on first download, never inside the billing run."""

    invoice = models.OneToOneField(Invoice, on_delete=models.CASCADE, related_name="pdf")
    content = models.BinaryField()
    status = models.CharField(max_length=5)  # the invoice's status it shows
    rendered_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"PDF {self.invoice_id}"


class CardOnFile(models.Model):
    """The payer's card at the payment provider (ids only: card data never reaches us).

    One per billed party: a reseller, or a customer buying directly.
    """

    reseller = models.OneToOneField(
        Reseller, null=True, blank=True, on_delete=models.CASCADE, related_name="card_on_file"
    )
    customer = models.OneToOneField(
        Customer, null=True, blank=True, on_delete=models.CASCADE, related_name="card_on_file"
    )
    provider = models.CharField(max_length=20, default="stripe")
    provider_customer = models.CharField(max_length=100)
    provider_payment_method = models.CharField(max_length=100)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(reseller__isnull=False, customer__isnull=True) | Q(reseller__isnull=True, customer__isnull=False)
                ),
                name="card_belongs_to_exactly_one",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.provider} {self.provider_customer}"


class TrialEndingReminder(models.Model):
    """The "trial ending" notice of one subscription, sent 3 days before its trial ends.

    One per subscription (the database's unique rule): the daily job can run any number
    of times, in several processes, and still tells the reseller once.
    """

    subscription = models.OneToOneField(Subscription, on_delete=models.CASCADE, related_name="trial_ending_reminder")
    trial_ends_at = models.DateTimeField()
    sent_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"trial ending {self.subscription_id}"
