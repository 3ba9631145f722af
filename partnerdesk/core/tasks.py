"""Daily jobs whose work other apps provide, through a dotted path in the settings:
``DAILY_BILLING_RUN`` (renewals, trial conversions, dunning) and
``TRIAL_ENDING_REMINDERS`` (e-mail 3 days before a trial ends). Each target must be
idempotent: a rerun on the same day changes nothing."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from partnerdesk.core.jobs import run_daily_hook


@db_periodic_task(crontab(hour="2", minute="0"))
@lock_task("daily-billing-run")
def daily_billing_run():
    return run_daily_hook("DAILY_BILLING_RUN")


@db_periodic_task(crontab(hour="7", minute="0"))
@lock_task("trial-ending-reminders")
def trial_ending_reminders():
    return run_daily_hook("TRIAL_ENDING_REMINDERS")
