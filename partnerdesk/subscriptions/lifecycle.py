"""The one guarded state machine for subscription status.

    trial ──► active ──► past_due ──► suspended
      │         │  ▲         │            │
      │         │  └─────────┴────────────┘   (paying reactivates)
      ▼         ▼
    cancelled / expired  (then archived)

Every status change goes through :func:`transition`; nothing else assigns ``status``.
"""

from __future__ import annotations

from datetime import datetime

from partnerdesk.core.errors import conflict
from partnerdesk.subscriptions.models import ENDED_STATUSES, Status, Subscription

TRANSITIONS: dict[str, frozenset[str]] = {
    Status.TRIAL: frozenset({Status.ACTIVE, Status.CANCELLED, Status.EXPIRED}),
    Status.ACTIVE: frozenset({Status.PAST_DUE, Status.CANCELLED, Status.EXPIRED}),
    Status.PAST_DUE: frozenset({Status.ACTIVE, Status.SUSPENDED, Status.CANCELLED, Status.EXPIRED}),
    Status.SUSPENDED: frozenset({Status.ACTIVE, Status.CANCELLED, Status.EXPIRED}),
    Status.CANCELLED: frozenset(),
    Status.EXPIRED: frozenset(),
}

# States in which the subscription is usable: members can be added, seats changed, started.
USABLE_STATUSES = frozenset({Status.TRIAL, Status.ACTIVE, Status.PAST_DUE})


def can_transition(current: str, target: str) -> bool:
    return target in TRANSITIONS[current]


def transition(subscription: Subscription, target: str, *, now: datetime) -> list[str]:
    """Move ``subscription`` to ``target`` or refuse; returns the fields changed (unsaved).

    Ending (cancelled/expired) also archives: ended subscriptions live in the archive
    (seed 000: "view all archived subscriptions") and have no next payment.
    """
    if not can_transition(subscription.status, target):
        raise conflict(f"A subscription in status {subscription.status} cannot become {target}.", "status")
    subscription.status = target
    changed = ["status"]
    if target in ENDED_STATUSES:
        subscription.ended_at = now
        subscription.archived = True
        subscription.archived_at = now
        subscription.next_payment_date = None
        subscription.cancel_at_period_end = False
        subscription.pending_seats = None
        changed += ["ended_at", "archived", "archived_at", "next_payment_date", "cancel_at_period_end", "pending_seats"]
    return changed


def require_usable(subscription: Subscription, doing: str) -> None:
    if subscription.status not in USABLE_STATUSES:
        raise conflict(f"Cannot {doing}: the subscription is {subscription.status}.", "status")
