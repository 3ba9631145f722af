from django.db import models


class SandboxClock(models.Model):
    """The frozen time of sandbox mode (one row, pk=1). Unused outside sandbox mode."""

    now = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.CheckConstraint(condition=models.Q(pk=1), name="sandbox_clock_single_row")]

    def __str__(self) -> str:
        return f"sandbox clock at {self.now or 'real time'}"
