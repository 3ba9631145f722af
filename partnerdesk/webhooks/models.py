"""Events, webhook endpoints, and the deliveries of events to endpoints.

An :class:`Event` is written in the same transaction as the change it reports, together
with one :class:`Delivery` per endpoint that wants it (``events.record_event``), so no
change is ever without its event and no event without its deliveries. Workers then send
due deliveries (``delivery.deliver_due``) and log every try as a :class:`DeliveryAttempt`.
"""

from __future__ import annotations

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q

from partnerdesk.accounts.models import Reseller
from partnerdesk.catalog.models import Product
from partnerdesk.core.ids import PublicIdField
from partnerdesk.customers.models import Customer

# API.md's event types, the only ones resellers can subscribe to.
EVENT_TYPES: tuple[str, ...] = (
    "customer.created",
    "customer.invitation_accepted",
    "subscription.created",
    "subscription.started",
    "subscription.trial_ending",
    "subscription.activated",
    "subscription.seats_changed",
    "subscription.cancelled",
    "subscription.expired",
    "member.added",
    "member.removed",
    "invoice.issued",
    "invoice.paid",
    "invoice.overdue",
)
# Sent to one endpoint on request, to test it; never fanned out.
PING = "ping"
# What a product's provisioning URL receives (issue 7, point 4).
PROVISIONING_TYPES: frozenset[str] = frozenset(
    {
        "subscription.created",
        "subscription.started",
        "subscription.seats_changed",
        "subscription.cancelled",
        "subscription.expired",
    }
)
ALL_TYPES = "*"


class Event(models.Model):
    """Something that happened to a tenant's data. Append-only (database triggers).

    ``reseller`` is the tenant the event belongs to (None: vendor-level, e.g. a ping to
    a product's provisioning endpoint); ``data`` is the object as the API shows it.
    """

    public_id = PublicIdField(prefix="evt")
    type = models.CharField(max_length=60)
    # Indexed by event_reseller_newest and event_reseller_type.
    reseller = models.ForeignKey(
        Reseller, null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    customer = models.ForeignKey(Customer, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    data = models.JSONField(encoder=DjangoJSONEncoder)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["reseller", "-created_at", "-id"], name="event_reseller_newest"),
            models.Index(fields=["reseller", "type", "-created_at"], name="event_reseller_type"),
        ]

    def __str__(self) -> str:
        return f"{self.public_id} {self.type}"


class WebhookEndpoint(models.Model):
    """Where events are POSTed: a reseller's endpoint, or a product's provisioning endpoint.

    Exactly one of ``reseller`` and ``product`` is set. The secret is kept in plain text
    because signing needs it (an HMAC key cannot be hashed); it is shown to its owner once.
    After a rotation the previous secret keeps signing until ``previous_secret_expires_at``.
    ``consecutive_failures``/``failing_since`` describe the current run of failed attempts;
    a run long enough disables the endpoint (see delivery.py).
    """

    public_id = PublicIdField(prefix="we")
    reseller = models.ForeignKey(
        Reseller, null=True, blank=True, on_delete=models.CASCADE, related_name="webhook_endpoints"
    )
    product = models.ForeignKey(
        Product, null=True, blank=True, on_delete=models.CASCADE, related_name="provisioning_endpoints"
    )
    url = models.URLField(max_length=2000)
    description = models.CharField(max_length=200, blank=True)
    events = models.JSONField(default=list)
    secret = models.CharField(max_length=100)
    previous_secret = models.CharField(max_length=100, blank=True)
    previous_secret_expires_at = models.DateTimeField(null=True, blank=True)
    enabled = models.BooleanField(default=True)
    disabled_at = models.DateTimeField(null=True, blank=True)
    disabled_reason = models.CharField(max_length=200, blank=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    failing_since = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(reseller__isnull=False, product__isnull=True)
                | Q(reseller__isnull=True, product__isnull=False),
                name="endpoint_one_owner",
            ),
            # One provisioning endpoint per product (a reseller may have several endpoints).
            models.UniqueConstraint(
                fields=["product"], condition=Q(product__isnull=False), name="endpoint_one_per_product"
            ),
            models.CheckConstraint(
                condition=Q(deleted_at__isnull=True) | Q(enabled=False), name="endpoint_deleted_is_disabled"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.public_id} {self.url}"

    def wants(self, event_type: str) -> bool:
        return ALL_TYPES in self.events or event_type in self.events


class Delivery(models.Model):
    """One event for one endpoint. ``public_id`` goes out as ``Partnerdesk-Delivery`` and
    stays the same on every retry, so receivers can drop duplicates.

    ``pending`` deliveries are sent when ``next_attempt_at`` has come; a worker claiming one
    moves ``next_attempt_at`` forward by a lease and sets ``claim_token``, so a worker that
    dies mid-send leaves the delivery to be retried when the lease runs out. ``retry_until``
    is when retrying stops: a failure after it makes the delivery ``failed``.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"

    public_id = PublicIdField(prefix="dlv")
    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="deliveries")
    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    retry_until = models.DateTimeField()
    claim_token = models.CharField(max_length=32, blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    succeeded_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="delivery_due"),
            models.Index(fields=["endpoint", "-created_at", "-id"], name="delivery_endpoint_newest"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["endpoint", "event"], name="delivery_once_per_endpoint_event"),
            models.CheckConstraint(
                condition=Q(status__in=["pending", "succeeded", "failed"]), name="delivery_status_valid"
            ),
            models.CheckConstraint(
                condition=~Q(status="pending") | Q(next_attempt_at__isnull=False), name="delivery_pending_is_scheduled"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.public_id} {self.status}"


class DeliveryAttempt(models.Model):
    """One try at sending a delivery: the delivery log."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempt_log")
    number = models.PositiveIntegerField()
    attempted_at = models.DateTimeField()
    url = models.URLField(max_length=2000)
    succeeded = models.BooleanField()
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)
    response_excerpt = models.CharField(max_length=1000, blank=True)
    error = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-attempted_at", "-id"]

    def __str__(self) -> str:
        return f"{self.delivery_id} #{self.number} {self.status_code or self.error}"
