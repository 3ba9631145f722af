"""The daily jobs run the real billing functions (settings DAILY_BILLING_RUN and
TRIAL_ENDING_REMINDERS), with the clock's ``now``."""

from datetime import timedelta

import pytest

from partnerdesk.billing.models import Invoice, TrialEndingReminder
from partnerdesk.core import clock
from partnerdesk.core.tasks import daily_billing_run, trial_ending_reminders
from partnerdesk.subscriptions.models import Subscription
from partnerdesk.subscriptions.tests.factories import make_subscription


@pytest.fixture
def sandbox(settings):
    settings.SANDBOX = True  # the sandbox clock lives in the test's database
    return clock


def test_the_daily_job_is_the_billing_run(sandbox, vendor, actor, trial_plan, now):
    sub = make_subscription(actor, trial_plan, now=now, seats=10)
    sandbox.set_sandbox_now(sub.trial_ends_at + timedelta(hours=3))
    assert daily_billing_run.call_local() == {"trials_converted": 1, "invoices": 1}
    assert Subscription.objects.get(pk=sub.pk).status == "active"
    assert Invoice.objects.get().issued_at == sub.trial_ends_at + timedelta(hours=3)
    assert daily_billing_run.call_local() == {}  # the same day again: nothing


def test_the_morning_job_sends_the_trial_ending_reminders(sandbox, vendor, actor, trial_plan, now):
    sub = make_subscription(actor, trial_plan, now=now, seats=10)
    sandbox.set_sandbox_now(sub.trial_ends_at - timedelta(days=2))
    assert trial_ending_reminders.call_local() == 1
    assert trial_ending_reminders.call_local() == 0
    assert TrialEndingReminder.objects.get().sent_at == sub.trial_ends_at - timedelta(days=2)
