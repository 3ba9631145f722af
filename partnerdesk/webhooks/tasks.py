"""Jobs for webhook delivery.

Deliveries are rows (written with their event, in the change's transaction); these jobs
only send what is due, so each is idempotent and any number may run at once (claims
with a lease, see delivery.py). Two ways a delivery gets sent:

* ``send_webhooks_now``: enqueued when a transaction that created deliveries commits
  (events.py), so a webhook leaves within seconds of its change;
* ``send_due_webhooks``: every minute, for retries that came due and for anything whose
  job was lost (the queue was down at commit, a worker was killed).
"""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from partnerdesk.webhooks.delivery import deliver_due

# One job sends at most this many before it yields to the next job (the next minute's run
# or the next kick carries on): a worker thread is never tied up for long.
BATCH = 100


@db_task()
def send_webhooks_now() -> int:
    return deliver_due(limit=BATCH)


@db_periodic_task(crontab(minute="*"))
def send_due_webhooks() -> int:
    return deliver_due(limit=BATCH)
