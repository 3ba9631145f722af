from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone

from partnerdesk.core.ids import PublicIdField


class OutboxEmail(models.Model):
    """One e-mail, kept until the SMTP server has accepted it.

    The row is written in the transaction that decided to send the e-mail, so the e-mail
    exists exactly when that change was committed; delivery happens after the commit
    (a job) and is retried with backoff until it succeeds. ``claimed_until`` keeps two
    workers from sending the same row at once.

    Usually rendered when written; an e-mail made in bulk (the billing run's thousands of
    "invoice issued") is written with ``render_from`` instead and rendered when sent, from
    immutable data it names (notifications/services.py ``register_renderer``).
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed (gave up)"

    public_id = PublicIdField(prefix="eml")
    template = models.CharField(max_length=100)
    language = models.CharField(max_length=5, default="en")
    to = models.EmailField()
    from_email = models.CharField(max_length=254)
    subject = models.CharField(max_length=300)
    body_text = models.TextField()
    body_html = models.TextField(blank=True)
    render_from = models.JSONField(
        null=True, blank=True, help_text="what the e-mail is rendered from when it is sent; empty once rendered"
    )
    sensitive = models.BooleanField(default=False, help_text="holds a secret link: bodies are blanked once sent")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    claimed_until = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="outbox_due")]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=["pending", "sent", "failed"]), name="outbox_status_valid"),
            models.CheckConstraint(condition=~Q(status="sent") | Q(sent_at__isnull=False), name="outbox_sent_has_time"),
            models.CheckConstraint(
                condition=~Q(subject="") | Q(render_from__isnull=False), name="outbox_rendered_or_renderable"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.template} → {self.to} ({self.status})"
