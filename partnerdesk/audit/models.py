from __future__ import annotations

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models

from partnerdesk.core.ids import PublicIdField


class AuditEvent(models.Model):
    """Who changed what, for whom, from what to what. Immutable (database triggers).

    Foreign keys carry no database constraint: an entry must outlive what it names
    and is never updated, not even to null a deleted user.

    ``reseller`` is the tenant the entry belongs to (None: vendor-level changes);
    ``acting_on`` is the customer the change was made for (seed 004's "acting on").
    """

    public_id = PublicIdField(prefix="aud")
    at = models.DateTimeField()
    actor = models.CharField(max_length=254)
    actor_user = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    reseller = models.ForeignKey(  # indexed by audit_reseller_newest
        "accounts.Reseller",
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
    )
    acting_on = models.ForeignKey(
        "customers.Customer", null=True, blank=True, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    action = models.CharField(max_length=80)
    object_type = models.CharField(max_length=40)
    object_id = models.CharField(max_length=40)
    before = models.JSONField(null=True, blank=True, encoder=DjangoJSONEncoder)
    after = models.JSONField(null=True, blank=True, encoder=DjangoJSONEncoder)
    request_id = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["reseller", "-at", "-id"], name="audit_reseller_newest"),
            models.Index(fields=["object_id"], name="audit_object"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor} {self.action} {self.object_id}"
