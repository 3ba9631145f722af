from __future__ import annotations

from django.db import models

from partnerdesk.core.ids import PublicIdField


class Product(models.Model):
    """A SaaS product the vendor sells through resellers (e.g. "Signatures for Microsoft 365")."""

    public_id = PublicIdField(prefix="prd")
    code = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    # Where "Start" sends people (seed 000: configure the connection to Microsoft 365).
    launch_url = models.URLField(blank=True)
    # Where signed provisioning events go (webhooks issue).
    provisioning_url = models.URLField(blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Plan(models.Model):
    """How a product is sold: a term, a price per seat per term, a trial, seat limits."""

    class ProrationPolicy(models.TextChoices):
        WHOLE_MONTHS = "whole_months", "Whole months, started months counted in full"
        DAILY = "daily", "Exact days"
        NONE = "none", "No charge until renewal"

    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="plans")
    code = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=200)
    term_months = models.PositiveSmallIntegerField()
    price_per_seat = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3, default="EUR")
    trial_days = models.PositiveSmallIntegerField(default=0)
    min_seats = models.PositiveIntegerField(default=1)
    max_seats = models.PositiveIntegerField(null=True, blank=True)
    proration_policy = models.CharField(
        max_length=20, choices=ProrationPolicy.choices, default=ProrationPolicy.WHOLE_MONTHS
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["product__name", "term_months"]
        constraints = [
            models.CheckConstraint(condition=models.Q(term_months__in=[1, 12]), name="plan_term_1_or_12"),
            models.CheckConstraint(condition=models.Q(price_per_seat__gte=0), name="plan_price_not_negative"),
            models.CheckConstraint(condition=models.Q(trial_days__lte=90), name="plan_trial_at_most_90"),
            models.CheckConstraint(condition=models.Q(min_seats__gte=1), name="plan_min_seats_positive"),
            models.CheckConstraint(
                condition=models.Q(max_seats__isnull=True) | models.Q(max_seats__gte=models.F("min_seats")),
                name="plan_max_seats_at_least_min",
            ),
            models.CheckConstraint(
                condition=models.Q(proration_policy__in=["whole_months", "daily", "none"]),
                name="plan_proration_policy_valid",
            ),
            models.CheckConstraint(condition=models.Q(currency__regex=r"^[A-Z]{3}$"), name="plan_currency_iso"),
        ]

    def __str__(self) -> str:
        return f"{self.product.name} - {self.name}"
