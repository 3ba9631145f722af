from __future__ import annotations

from django.db import models
from django.utils import timezone

from partnerdesk.accounts.models import LANGUAGE_CHOICES, Reseller
from partnerdesk.core.ids import PublicIdField


class Customer(models.Model):
    """A reseller's customer company.

    ``invited`` until the contact accepts the invitation (seed 002), then ``active``.
    ``reseller`` is the managing reseller; a company that asked a reseller to manage it
    (seed 003) has none until the request is accepted.
    """

    class Status(models.TextChoices):
        INVITED = "invited", "Invited"
        ACTIVE = "active", "Active"

    public_id = PublicIdField(prefix="cus")
    reseller = models.ForeignKey(Reseller, null=True, blank=True, on_delete=models.PROTECT, related_name="customers")
    company_name = models.CharField(max_length=200)
    contact_name = models.CharField(max_length=200, blank=True)
    contact_email = models.EmailField(blank=True)
    domain = models.CharField(max_length=253, blank=True)
    country = models.CharField(max_length=2)
    vat_id = models.CharField(max_length=20, blank=True)
    address = models.TextField(blank=True)
    language = models.CharField(max_length=5, choices=LANGUAGE_CHOICES, default="en")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["reseller", "-created_at", "-id"], name="customer_reseller_newest"),
            models.Index(fields=["reseller", "company_name"], name="customer_reseller_name"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(status__in=["invited", "active"]), name="customer_status_valid"),
            models.CheckConstraint(condition=models.Q(country__regex=r"^[A-Z]{2}$"), name="customer_country_iso"),
        ]

    def __str__(self) -> str:
        return self.company_name


class CustomerMembership(models.Model):
    """A customer admin's access to the customer portal: the user ↔ customer link that
    gives a signed-in customer admin ``Actor.customer_user``. Created when the admin
    accepts their invitation."""

    user = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="customer_memberships")
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="memberships")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "customer"], name="customer_membership_once")]

    def __str__(self) -> str:
        return f"{self.user} @ {self.customer}"
