from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone

from partnerdesk.accounts.models import LANGUAGE_CHOICES, Reseller, User
from partnerdesk.core.ids import PublicIdField
from partnerdesk.customers.models import Customer
from partnerdesk.subscriptions.models import Member, Subscription


class Invitation(models.Model):
    """An invitation or a request someone has to answer.

    Kinds: a colleague joining a reseller's team (with a role), a customer's admin, a
    member activating their license (seed 004), and a relationship request: a company
    asking a reseller to manage it, or a reseller asking a distributor to take it on as a
    sub-reseller (seed 003).

    The link token is 256 random bits, sent only in the e-mail; only its SHA-256 is kept,
    so a database copy cannot accept anything. Resending replaces the hash, so the old
    link stops working. ``scope`` names what the invitation is for; the database allows
    one pending invitation per scope.
    """

    class Kind(models.TextChoices):
        TEAM_MEMBER = "team_member", "Reseller team member"
        CUSTOMER_ADMIN = "customer_admin", "Customer admin"
        MEMBER_LICENSE = "member_license", "Member license"
        RELATIONSHIP_REQUEST = "relationship_request", "Relationship request"

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"
        CANCELLED = "cancelled", "Cancelled"
        EXPIRED = "expired", "Expired"

    public_id = PublicIdField(prefix="ivt")
    kind = models.CharField(max_length=24, choices=Kind.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    scope = models.CharField(max_length=200)
    email = models.EmailField()
    name = models.CharField(max_length=200, blank=True)
    language = models.CharField(max_length=5, choices=LANGUAGE_CHOICES, default="en")
    role = models.CharField(max_length=10, blank=True)
    token_hash = models.CharField(max_length=64, unique=True, null=True, blank=True)
    reseller = models.ForeignKey(Reseller, null=True, blank=True, on_delete=models.CASCADE, related_name="invitations")
    customer = models.ForeignKey(Customer, null=True, blank=True, on_delete=models.CASCADE, related_name="invitations")
    subscription = models.ForeignKey(
        Subscription, null=True, blank=True, on_delete=models.CASCADE, related_name="invitations"
    )
    member = models.ForeignKey(Member, null=True, blank=True, on_delete=models.CASCADE, related_name="invitations")
    requesting_reseller = models.ForeignKey(
        Reseller, null=True, blank=True, on_delete=models.CASCADE, related_name="relationship_requests_sent"
    )
    invited_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    accepted_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    responded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "expires_at"], name="invitation_due"),
            models.Index(fields=["reseller", "kind", "status"], name="invitation_reseller_kind"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["scope"], condition=Q(status="pending"), name="invitation_one_pending_per_scope"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["team_member", "customer_admin", "member_license", "relationship_request"]),
                name="invitation_kind_valid",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["pending", "accepted", "declined", "cancelled", "expired"]),
                name="invitation_status_valid",
            ),
            models.CheckConstraint(
                condition=~Q(kind="team_member") | Q(role__in=["owner", "admin", "billing", "viewer"]),
                name="invitation_team_has_role",
            ),
            models.CheckConstraint(
                condition=~Q(kind="member_license") | Q(member__isnull=False), name="invitation_license_has_member"
            ),
            models.CheckConstraint(condition=Q(expires_at__gt=models.F("sent_at")), name="invitation_expires_later"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.email} ({self.status})"
