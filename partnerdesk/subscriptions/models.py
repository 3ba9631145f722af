from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from partnerdesk.accounts.models import Reseller, User
from partnerdesk.catalog.models import Plan
from partnerdesk.core.ids import PublicIdField
from partnerdesk.customers.models import Customer


class Status(models.TextChoices):
    TRIAL = "trial", "Trial"
    ACTIVE = "active", "Active"
    PAST_DUE = "past_due", "Past due"
    SUSPENDED = "suspended", "Suspended"
    CANCELLED = "cancelled", "Cancelled"
    EXPIRED = "expired", "Expired"


ENDED_STATUSES = (Status.CANCELLED, Status.EXPIRED)


class PaymentMethod(models.TextChoices):
    CARD = "card", "Card"
    BANK_TRANSFER = "bank_transfer", "Bank transfer"


class Subscription(models.Model):
    """A customer's subscription to one plan, bought and managed by a reseller.

    ``seats`` are the licenses bought; ``assigned`` counts the members holding one and
    is kept in the same transaction as the member rows, so the database itself can
    guarantee ``assigned <= seats``. ``billing_anchor`` is the start of the first paid
    period: every later period is computed from it (see core/periods.py).
    """

    public_id = PublicIdField(prefix="sub")
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="subscriptions")
    reseller = models.ForeignKey(Reseller, on_delete=models.PROTECT, related_name="subscriptions")
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="subscriptions")
    status = models.CharField(max_length=10, choices=Status.choices)
    seats = models.PositiveIntegerField()
    assigned = models.PositiveIntegerField(default=0)
    pending_seats = models.PositiveIntegerField(null=True, blank=True)
    payment_method = models.CharField(max_length=20, choices=PaymentMethod.choices, default=PaymentMethod.BANK_TRANSFER)
    customer_can_manage = models.BooleanField(default=False)
    trial_ends_at = models.DateTimeField(null=True, blank=True)
    billing_anchor = models.DateTimeField(null=True, blank=True)
    current_period_start = models.DateTimeField()
    current_period_end = models.DateTimeField()
    next_payment_date = models.DateField(null=True, blank=True)
    cancel_at_period_end = models.BooleanField(default=False)
    cancel_reason = models.CharField(max_length=500, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    archived = models.BooleanField(default=False)
    archived_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["reseller", "archived", "-created_at", "-id"], name="sub_reseller_newest"),
            # The API lists live and archived together, newest first.
            models.Index(fields=["reseller", "-created_at", "-id"], name="sub_reseller_all_newest"),
            models.Index(fields=["reseller", "status"], name="sub_reseller_status"),
            models.Index(fields=["status", "current_period_end"], name="sub_status_period_end"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(seats__gte=1), name="sub_seats_positive"),
            models.CheckConstraint(condition=Q(assigned__lte=F("seats")), name="sub_assigned_le_seats"),
            models.CheckConstraint(
                condition=Q(pending_seats__isnull=True) | Q(pending_seats__gte=1, pending_seats__lt=F("seats")),
                name="sub_pending_seats_is_reduction",
            ),
            models.CheckConstraint(condition=Q(status__in=[s.value for s in Status]), name="sub_status_valid"),
            models.CheckConstraint(
                condition=~Q(status="trial") | Q(trial_ends_at__isnull=False), name="sub_trial_has_end"
            ),
            models.CheckConstraint(
                condition=Q(archived=False) | Q(status__in=["cancelled", "expired"]),
                name="sub_archived_only_when_ended",
            ),
            models.CheckConstraint(
                condition=Q(current_period_end__gt=F("current_period_start")), name="sub_period_forward"
            ),
            models.CheckConstraint(
                condition=Q(payment_method__in=["card", "bank_transfer"]), name="sub_payment_method_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.public_id

    @property
    def free_seats(self) -> int:
        return self.seats - self.assigned

    @property
    def is_ended(self) -> bool:
        return self.status in ENDED_STATUSES


class SeatLedgerEntry(models.Model):
    """One change of a subscription's seats. Append-only (a database trigger refuses
    updates and deletes): invoices and history are built from it."""

    class Reason(models.TextChoices):
        CREATED = "created", "Subscription created"
        TOP_UP = "top_up", "Seats added"
        REDUCTION_SCHEDULED = "reduction_scheduled", "Reduction scheduled for renewal"
        REDUCTION_UNSCHEDULED = "reduction_unscheduled", "Scheduled reduction removed"
        RENEWAL = "renewal", "Renewed"

    subscription = models.ForeignKey(Subscription, on_delete=models.PROTECT, related_name="seat_ledger")
    at = models.DateTimeField()
    seats_from = models.PositiveIntegerField()
    seats_to = models.PositiveIntegerField()
    reason = models.CharField(max_length=30, choices=Reason.choices)
    effective = models.CharField(max_length=10, choices=[("now", "Now"), ("renewal", "At renewal")])
    actor = models.CharField(max_length=254, blank=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["subscription", "at"], name="ledger_sub_at")]

    def __str__(self) -> str:
        return f"{self.subscription_id}: {self.seats_from} → {self.seats_to} ({self.reason})"


class Member(models.Model):
    """A license assignment: an end user of the customer holding one seat (seed 004)."""

    class Status(models.TextChoices):
        INVITED = "invited", "Invited"
        ACTIVE = "active", "Active"

    public_id = PublicIdField(prefix="mem")
    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE, related_name="members")
    email = models.EmailField()
    user = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="licenses")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.INVITED)
    invited_at = models.DateTimeField(default=timezone.now)
    activated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-invited_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["subscription", "email"], name="member_once_per_subscription"),
            models.CheckConstraint(condition=Q(status__in=["invited", "active"]), name="member_status_valid"),
        ]

    def __str__(self) -> str:
        return self.email


class SubscriptionAdmin(models.Model):
    """Someone who administers a subscription without holding a seat.

    The reseller's user is added when the subscription is created (seed 004: "added as
    administrator, of course without a license"). A customer admin with
    ``can_purchase`` may buy seats at list price, billed to the customer.
    """

    class Kind(models.TextChoices):
        RESELLER = "reseller", "Reseller"
        CUSTOMER = "customer", "Customer"

    public_id = PublicIdField(prefix="adm")
    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE, related_name="admins")
    email = models.EmailField()
    name = models.CharField(max_length=200, blank=True)
    user = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    can_purchase = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["subscription", "email"], name="admin_once_per_subscription"),
            models.CheckConstraint(condition=Q(kind__in=["reseller", "customer"]), name="admin_kind_valid"),
            models.CheckConstraint(
                condition=Q(kind="customer") | Q(can_purchase=False), name="admin_only_customers_purchase"
            ),
        ]

    def __str__(self) -> str:
        return self.email
