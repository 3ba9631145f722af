"""Trial-ending reminders: 3 days before a trial ends, the reseller hears about it.

Who: the reseller (its contact e-mail, else its owners; billing/notify.py), in its
language. Not the customer admins: the trial turns into a paid subscription billed to
the reseller, and only the reseller can cancel it; customer admins never see billing.

Once per subscription: a :class:`TrialEndingReminder` row, unique per subscription, is
written in the same transaction as the ``subscription.trial_ending`` event and the
outbox e-mail. Running the job again (or in two processes at once) sends nothing twice.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction

from partnerdesk.billing.models import TrialEndingReminder
from partnerdesk.billing.notify import reseller_contacts
from partnerdesk.core import clock
from partnerdesk.notifications.services import email_enqueue
from partnerdesk.subscriptions.models import Status, Subscription
from partnerdesk.webhooks.events import record_subscription_event

logger = logging.getLogger(__name__)

NOTICE = timedelta(days=3)


def _remind(subscription_id: int, now: datetime) -> bool:
    with transaction.atomic():
        sub = (
            Subscription.objects.select_for_update(of=("self",))
            .select_related("plan__product", "reseller", "customer")
            .get(pk=subscription_id)
        )
        if sub.status != Status.TRIAL or not (now < sub.trial_ends_at <= now + NOTICE):
            return False  # converted, cancelled or moved meanwhile
        if TrialEndingReminder.objects.filter(subscription=sub).exists():
            return False
        TrialEndingReminder.objects.create(subscription=sub, trial_ends_at=sub.trial_ends_at, sent_at=now)
        record_subscription_event(type="subscription.trial_ending", subscription=sub, now=now)
        context = {
            "product": sub.plan.product.name,
            "customer": sub.customer,
            "trial_ends_at": sub.trial_ends_at,
            "link": f"{settings.BASE_URL}/",
        }
        for to in reseller_contacts(sub.reseller):
            email_enqueue(to=to, template="trial_ending", context=context, language=sub.reseller.language)
    return True


def trial_ending_reminders(*, now: datetime | None = None) -> int:
    """Remind about every trial ending within the next 3 days that was not reminded
    about yet; returns how many reminders were sent. Idempotent."""
    now = clock.resolve(now)
    due = (
        Subscription.objects.filter(status=Status.TRIAL, trial_ends_at__gt=now, trial_ends_at__lte=now + NOTICE)
        .exclude(trial_ending_reminder__isnull=False)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    sent = 0
    for pk in list(due):
        try:
            sent += _remind(pk, now)
        except IntegrityError:
            pass  # another process reminded about it first
        except Exception:
            logger.exception("trial-ending reminder for subscription %s failed", pk)
    return sent
