"""How often the data a reseller sees has changed: the key of the views' cache (cache.py).

The database keeps the numbers itself: triggers (triggers.py) bump ``reseller:<id>`` on
every insert, update and delete of that reseller's subscriptions, seat-ledger entries and
customers and of the reseller row (its parent's too, when a sub-reseller moves), and
``catalog`` on every change to plans and products. No write path can forget a bump, whether it is a service, the billing
run's bulk update, the admin or a hand-written SQL statement.
"""

from __future__ import annotations

from django.db import models


class Revision(models.Model):
    scope = models.CharField(max_length=40, primary_key=True)  # "catalog" or "reseller:<pk>"
    number = models.BigIntegerField()

    class Meta:
        constraints = [models.CheckConstraint(condition=models.Q(number__gte=1), name="revision_number_positive")]

    def __str__(self) -> str:
        return f"{self.scope} #{self.number}"
