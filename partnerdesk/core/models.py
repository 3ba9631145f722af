from django.db import models


class SandboxClock(models.Model):
    """The frozen time of sandbox mode (one row, pk=1). Unused outside sandbox mode."""

    now = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.CheckConstraint(condition=models.Q(pk=1), name="sandbox_clock_single_row")]

    def __str__(self) -> str:
        return f"sandbox clock at {self.now or 'real time'}"


class IdempotencyRecord(models.Model):
    """The first response to a POST with an Idempotency-Key, replayed for 24 hours.

    The unique (owner, key) constraint is what makes concurrent duplicates run once:
    only one request can insert the pending row; the others wait for its response.
    """

    owner = models.CharField(max_length=64)
    key = models.CharField(max_length=255)
    request_hash = models.CharField(max_length=64)
    done = models.BooleanField(default=False)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    response_body = models.TextField(blank=True)
    response_content_type = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["owner", "key"], name="idempotency_owner_key")]
        indexes = [models.Index(fields=["created_at"], name="idempotency_created")]

    def __str__(self) -> str:
        return f"{self.owner}:{self.key}"
