"""Writes for subscriptions: lifecycle, seats, members and admins.

Every service runs in one transaction, locks the subscription row it changes
(``select_for_update``) and records an audit entry in that same transaction. A change
that costs money issues its invoice in that transaction too (billing/services.py), which
locks the year's invoice counter: always after the subscription, so the lock order is fixed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from urllib.parse import urlencode

from django.db import IntegrityError, connection, transaction
from django.db.models import F

from partnerdesk.audit.models import AuditEvent
from partnerdesk.audit.services import audit_entry, audit_record, snapshot
from partnerdesk.billing.models import Invoice
from partnerdesk.billing.pricing import Buyer, Quote, empty_quote, quote, top_up_line
from partnerdesk.billing.proration import prorate
from partnerdesk.billing.services import invoice_issue_period, invoice_issue_records, seller_snapshot
from partnerdesk.catalog.models import Plan
from partnerdesk.core import clock, rows
from partnerdesk.core.actors import Actor
from partnerdesk.core.bulk import insert_rows, pipelined, unsaved, update_rows
from partnerdesk.core.errors import conflict, forbidden, invalid, not_found
from partnerdesk.core.periods import add_months
from partnerdesk.core.validation import normalize_email
from partnerdesk.customers.models import Customer, CustomerMembership
from partnerdesk.customers.services import customer_create
from partnerdesk.invitations.models import Invitation
from partnerdesk.invitations.services import customer_admin_invite, member_invite
from partnerdesk.subscriptions import lifecycle
from partnerdesk.subscriptions.models import (
    Member,
    PaymentMethod,
    SeatLedgerEntry,
    Status,
    Subscription,
    SubscriptionAdmin,
)
from partnerdesk.webhooks.events import (
    member_data,
    record_event,
    record_events,
    record_subscription_event,
    subscription_event,
    webhook_endpoints_of,
)
from partnerdesk.webhooks.models import Event

_STATE_FIELDS = [
    "status",
    "seats",
    "pending_seats",
    "cancel_at_period_end",
    "current_period_end",
    "next_payment_date",
    "archived",
]


@dataclass(frozen=True)
class CustomerAdminInput:
    email: str
    name: str = ""


_RELATED = ("plan", "customer", "reseller")


def _lock(subscription: Subscription) -> Subscription:
    """The subscription row, locked; its plan, product, customer and reseller read along (every
    service audits against the customer and reseller), but only the subscription row is locked:
    on PostgreSQL a plain FOR UPDATE would lock the joined plan and product rows too, shared by
    every subscription of the plan.

    When the caller's instance already holds them (the API's tenant-scoped read, moments ago),
    they are taken from it instead of being joined again: this read runs while every other
    writer waits, and those rows are not locked either way."""
    held = all(Subscription._meta.get_field(name).is_cached(subscription) for name in _RELATED)
    if not (held and Plan._meta.get_field("product").is_cached(subscription.plan)):
        return (
            Subscription.objects.select_for_update(of=("self",))
            .select_related("plan__product", "customer", "reseller")
            .get(pk=subscription.pk)
        )
    found = rows.fetch(_lock_sql(), [subscription.pk])
    if not found:
        raise Subscription.DoesNotExist("Subscription matching query does not exist.")
    locked = rows.instance(Subscription, found[0])
    for name in _RELATED:
        related = getattr(subscription, name)
        if getattr(locked, f"{name}_id") != related.pk:  # changed meanwhile: read it as it is now
            related = getattr(locked, name)
        setattr(locked, name, related)
    return locked


@cache
def _lock_sql() -> str:
    """The subscription row, locked, as a fixed statement (core/rows.py): the ORM's compiling of
    it ran while every other writer waited. SQLite has no FOR UPDATE: its transactions take the
    database's write lock at BEGIN (settings/base.py), as the ORM's select_for_update relies on."""
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    return f"SELECT {rows.columns(Subscription, 's')} FROM subscriptions_subscription s WHERE s.id = %s{lock}"


def _require_manager(actor: Actor, subscription: Subscription, *, members_only: bool = False) -> None:
    """Refuse unless the actor may change this subscription.

    The managing reseller (with a role that may manage) and vendor staff may change
    anything. A customer admin may change members and admins only, and only where the
    reseller allowed it ("Can customers manage?"). Another tenant's subscription is
    "not found", never "forbidden", so its existence is not revealed.
    """
    tenant = actor.tenant
    if tenant.vendor:
        return
    if tenant.customer is not None:
        if subscription.customer_id != tenant.customer.pk:
            raise not_found("subscription", "subscription")
        if not (members_only and subscription.customer_can_manage):
            raise forbidden("Your reseller manages this subscription.")
        return
    if subscription.reseller_id != tenant.reseller.pk:
        raise not_found("subscription", "subscription")
    actor.require("manage")


def _ledger(
    subscription: Subscription,
    *,
    at: datetime,
    seats_from: int,
    seats_to: int,
    reason: str,
    effective: str,
    actor: Actor,
) -> SeatLedgerEntry:
    entry = unsaved(
        SeatLedgerEntry,
        subscription=subscription,
        at=at,
        seats_from=seats_from,
        seats_to=seats_to,
        reason=reason,
        effective=effective,
        actor=actor.audit_label,
    )
    # Written without the ORM's per-insert compiling: the row lock is held meanwhile.
    insert_rows([entry], returning_ids=True)
    return entry


def _audit_change(actor: Actor, subscription: Subscription, action: str, *, before: dict, now: datetime) -> None:
    """Audit a change of the subscription's state: its fields before and after."""
    audit_record(
        actor=actor,
        action=action,
        obj=subscription,
        acting_on=subscription.customer,
        reseller=subscription.reseller,
        before=before,
        after=snapshot(subscription, _STATE_FIELDS),
        now=now,
    )


def _validate_seats(plan: Plan, seats: object, param: str = "seats") -> int:
    if isinstance(seats, bool) or not isinstance(seats, int):
        raise invalid("seats must be a whole number.", param)
    if seats < plan.min_seats:
        raise invalid(f"This plan needs at least {plan.min_seats} seat(s).", param)
    if plan.max_seats is not None and seats > plan.max_seats:
        raise invalid(f"This plan allows at most {plan.max_seats} seats.", param)
    return seats


def _reseller_admin_email(actor: Actor, customer: Customer) -> tuple[str, str]:
    """The reseller person added as admin: the acting user, else the reseller's first owner."""
    if actor.user is not None:
        return actor.user.email, actor.user.name
    owner = customer.reseller.memberships.filter(role="owner").select_related("user").order_by("id").first()
    if owner is not None:
        return owner.user.email, owner.user.name
    return customer.reseller.contact_email, customer.reseller.name


def _invite_customer_admin(
    actor: Actor, customer: Customer, subscription: Subscription, email: str, name: str, now: datetime
) -> None:
    """Invite the subscription's customer admin unless they already administer the
    customer or an invitation for them is still pending (then the one link covers both)."""
    membership = CustomerMembership.objects.filter(customer=customer, user__email__iexact=email).first()
    if membership is not None:
        SubscriptionAdmin.objects.filter(subscription=subscription, email=email).update(user=membership.user_id)
        return
    pending = Invitation.objects.filter(
        kind=Invitation.Kind.CUSTOMER_ADMIN, customer=customer, email=email, status=Invitation.Status.PENDING
    )
    if not pending.exists():
        customer_admin_invite(
            actor=actor, customer=customer, email=email, name=name, subscription=subscription, now=now
        )


def subscription_create(
    *,
    actor: Actor,
    customer: Customer,
    plan: Plan,
    seats: int,
    customer_can_manage: bool = False,
    customer_admin: CustomerAdminInput | None = None,
    payment_method: str = PaymentMethod.BANK_TRANSFER,
    now: datetime | None = None,
) -> Subscription:
    """Create a customer subscription (seed 000 "new customer subscription").

    A plan with trial days starts the trial at once; otherwise the first paid period
    starts now and its invoice is issued in the same transaction. The creating
    reseller's person becomes an admin holding no seat; with "customers can manage" the
    customer's contact (or the given admin) is added too and is e-mailed an invitation
    (after commit).
    """
    actor.require("manage")
    if actor.reseller is None:
        raise forbidden("Only a reseller can create subscriptions.")
    if customer.reseller_id != actor.reseller.pk:
        raise not_found("customer", "customer")
    if not plan.is_active or not plan.product.is_active:
        raise invalid("This plan is not for sale.", "plan")
    seats = _validate_seats(plan, seats)
    if payment_method not in PaymentMethod.values:
        raise invalid("payment_method must be card or bank_transfer.", "payment_method")
    admin_email = admin_name = ""
    if customer_can_manage:
        if customer_admin is not None:
            admin_email = normalize_email(customer_admin.email, "customer_admin.email")
            admin_name = customer_admin.name.strip()[:200]
        elif customer.contact_email:
            admin_email, admin_name = customer.contact_email, customer.contact_name
        else:
            raise invalid("A customer who can manage needs a contact e-mail.", "customer_admin")
    now = clock.resolve(now)

    if plan.trial_days:
        trial_ends_at = now + timedelta(days=plan.trial_days)
        dates = dict(
            status=Status.TRIAL,
            trial_ends_at=trial_ends_at,
            billing_anchor=None,
            current_period_start=now,
            current_period_end=trial_ends_at,
            next_payment_date=trial_ends_at.date(),
        )
    else:
        period_end = add_months(now, plan.term_months)
        dates = dict(
            status=Status.ACTIVE,
            trial_ends_at=None,
            billing_anchor=now,
            current_period_start=now,
            current_period_end=period_end,
            next_payment_date=period_end.date(),
        )

    reseller_email, reseller_name = _reseller_admin_email(actor, customer)
    with transaction.atomic():
        subscription = Subscription.objects.create(
            customer=customer,
            reseller=actor.reseller,
            plan=plan,
            seats=seats,
            payment_method=payment_method,
            customer_can_manage=customer_can_manage,
            created_at=now,
            **dates,
        )
        _ledger(
            subscription,
            at=now,
            seats_from=0,
            seats_to=seats,
            reason=SeatLedgerEntry.Reason.CREATED,
            effective="now",
            actor=actor,
        )
        if reseller_email:
            SubscriptionAdmin.objects.create(
                subscription=subscription,
                email=reseller_email,
                name=reseller_name,
                user=actor.user,
                kind=SubscriptionAdmin.Kind.RESELLER,
                created_at=now,
            )
        if admin_email and admin_email != reseller_email:
            SubscriptionAdmin.objects.create(
                subscription=subscription,
                email=admin_email,
                name=admin_name,
                kind=SubscriptionAdmin.Kind.CUSTOMER,
                created_at=now,
            )
            _invite_customer_admin(actor, customer, subscription, admin_email, admin_name, now)
        # Before the invoice, so receivers learn of the subscription before its invoice.
        record_subscription_event(type="subscription.created", subscription=subscription, now=now)
        if subscription.status == Status.ACTIVE:
            invoice_issue_period(
                actor=actor,
                subscription=subscription,
                seats=seats,
                start=subscription.current_period_start,
                end=subscription.current_period_end,
                now=now,
            )
        audit_record(
            actor=actor,
            action="subscription.create",
            obj=subscription,
            acting_on=customer,
            after={"plan": plan.code, **snapshot(subscription, _STATE_FIELDS)},
            now=now,
        )
    return subscription


def subscription_create_for_new_customer(
    *,
    actor: Actor,
    customer_data: dict,
    invite: bool = False,
    plan: Plan,
    seats: int,
    customer_can_manage: bool = False,
    customer_admin: CustomerAdminInput | None = None,
    payment_method: str = PaymentMethod.BANK_TRANSFER,
    now: datetime | None = None,
) -> Subscription:
    """Create a customer and its first subscription together: both or neither (seed 000's
    one "new customer subscription" form)."""
    now = clock.resolve(now)
    with transaction.atomic():
        customer = customer_create(actor=actor, data=customer_data, invite=invite, now=now)
        return subscription_create(
            actor=actor,
            customer=customer,
            plan=plan,
            seats=seats,
            customer_can_manage=customer_can_manage,
            customer_admin=customer_admin,
            payment_method=payment_method,
            now=now,
        )


def subscription_start(
    *, actor: Actor, subscription: Subscription, now: datetime | None = None
) -> tuple[Subscription, str]:
    """Start the product for the customer (seed 000: configure the Microsoft 365 / Google
    Workspace connection). Returns the product's launch URL carrying the subscription id.
    Starting twice keeps the first ``started_at``."""
    _require_manager(actor, subscription)
    now = clock.resolve(now)
    with transaction.atomic():
        locked = _lock(subscription)
        lifecycle.require_usable(locked, "start")
        if locked.started_at is None:
            locked.started_at = now
            locked.save(update_fields=["started_at"])
            audit_record(
                actor=actor,
                action="subscription.start",
                obj=locked,
                acting_on=locked.customer,
                reseller=locked.reseller,
                after={"started_at": now},
                now=now,
            )
            record_subscription_event(type="subscription.started", subscription=locked, now=now)
    return locked, launch_url(locked)


def launch_url(subscription: Subscription) -> str:
    return launch_url_for(subscription.plan.product.launch_url, subscription.public_id)


def launch_url_for(product_launch_url: str, subscription_id: str) -> str:
    """The product's launch URL for one subscription (from plain values, for lists)."""
    if not product_launch_url:
        return ""
    joiner = "&" if "?" in product_launch_url else "?"
    return f"{product_launch_url}{joiner}{urlencode({'subscription': subscription_id})}"


def subscription_cancel(
    *, actor: Actor, subscription: Subscription, reason: str = "", now: datetime | None = None
) -> Subscription:
    """Cancel. In a trial (or when suspended for not paying) it ends at once; a paid
    subscription runs to the end of the period it was paid for and can be reactivated
    until then."""
    _require_manager(actor, subscription)
    now = clock.resolve(now)
    with transaction.atomic():
        locked = _lock(subscription)
        before = snapshot(locked, _STATE_FIELDS)
        if locked.is_ended:
            raise conflict("This subscription has already ended.", "status")
        if locked.cancel_at_period_end:
            raise conflict("This subscription is already cancelled at the period end.", "status")
        locked.cancel_reason = (reason or "").strip()[:500]
        locked.cancelled_at = now
        changed = ["cancel_reason", "cancelled_at"]
        if locked.status in (Status.TRIAL, Status.SUSPENDED):
            changed += lifecycle.transition(locked, Status.CANCELLED, now=now)
        else:
            locked.cancel_at_period_end = True
            locked.next_payment_date = None
            locked.pending_seats = None
            changed += ["cancel_at_period_end", "next_payment_date", "pending_seats"]
        locked.save(update_fields=sorted(set(changed)))
        audit_record(
            actor=actor,
            action="subscription.cancel",
            obj=locked,
            acting_on=locked.customer,
            reseller=locked.reseller,
            before=before,
            after={**snapshot(locked, _STATE_FIELDS), "reason": locked.cancel_reason},
            now=now,
        )
        # One event when the cancellation is made: ``status`` says whether it ended at
        # once (trial) or ``cancel_at_period_end`` runs it to the period end, when the
        # billing run ends it with ``subscription.expired``.
        record_subscription_event(type="subscription.cancelled", subscription=locked, now=now)
    return locked


def subscription_reactivate(*, actor: Actor, subscription: Subscription, now: datetime | None = None) -> Subscription:
    """Undo a cancellation at period end, while the period is still running."""
    _require_manager(actor, subscription)
    now = clock.resolve(now)
    with transaction.atomic():
        locked = _lock(subscription)
        if not locked.cancel_at_period_end or locked.is_ended:
            raise conflict("Only a subscription cancelled at its period end can be reactivated.", "status")
        if now >= locked.current_period_end:
            raise conflict("The period has ended; create a new subscription instead.", "status")
        before = snapshot(locked, _STATE_FIELDS)
        locked.cancel_at_period_end = False
        locked.cancelled_at = None
        locked.cancel_reason = ""
        locked.next_payment_date = locked.current_period_end.date()
        locked.save(update_fields=["cancel_at_period_end", "cancelled_at", "cancel_reason", "next_payment_date"])
        _audit_change(actor, locked, "subscription.reactivate", before=before, now=now)
    return locked


def subscription_schedule_seat_reduction(
    *, actor: Actor, subscription: Subscription, seats: int, now: datetime | None = None
) -> Subscription:
    """Schedule fewer seats for the renewal. Never below the seats assigned or the plan
    minimum; no refund; the seats stay usable until the period ends."""
    _require_manager(actor, subscription)
    now = clock.resolve(now)
    with transaction.atomic():
        locked = _lock(subscription)
        lifecycle.require_usable(locked, "change seats")
        if locked.cancel_at_period_end:
            raise conflict("The subscription ends at the period end; nothing to reduce.", "seats")
        seats = _validate_seats(locked.plan, seats)
        if seats >= locked.seats:
            raise invalid("A reduction needs fewer seats than the subscription has.", "seats")
        if seats < locked.assigned:
            raise conflict(f"{locked.assigned} seats are assigned to members; remove members first.", "seats")
        before = snapshot(locked, _STATE_FIELDS)
        locked.pending_seats = seats
        locked.save(update_fields=["pending_seats"])
        _ledger(
            locked,
            at=now,
            seats_from=locked.seats,
            seats_to=seats,
            reason=SeatLedgerEntry.Reason.REDUCTION_SCHEDULED,
            effective="renewal",
            actor=actor,
        )
        _audit_change(actor, locked, "subscription.schedule_seat_reduction", before=before, now=now)
        # The seats stay as they are until the renewal; ``pending_seats`` says what comes.
        record_subscription_event(
            type="subscription.seats_changed",
            subscription=locked,
            now=now,
            extra={"effective": "renewal", "previous_seats": locked.seats},
        )
    return locked


def subscription_unschedule_seat_reduction(
    *, actor: Actor, subscription: Subscription, now: datetime | None = None
) -> Subscription:
    """Remove a scheduled reduction: the renewal keeps the current seats."""
    _require_manager(actor, subscription)
    now = clock.resolve(now)
    with transaction.atomic():
        locked = _lock(subscription)
        if locked.pending_seats is None:
            raise conflict("No seat reduction is scheduled.", "seats")
        before = snapshot(locked, _STATE_FIELDS)
        _ledger(
            locked,
            at=now,
            seats_from=locked.pending_seats,
            seats_to=locked.seats,
            reason=SeatLedgerEntry.Reason.REDUCTION_UNSCHEDULED,
            effective="renewal",
            actor=actor,
        )
        locked.pending_seats = None
        locked.save(update_fields=["pending_seats"])
        _audit_change(actor, locked, "subscription.unschedule_seat_reduction", before=before, now=now)
        record_subscription_event(
            type="subscription.seats_changed",
            subscription=locked,
            now=now,
            extra={"effective": "renewal", "previous_seats": locked.seats},
        )
    return locked


def subscription_activate(*, actor: Actor, subscription: Subscription, now: datetime | None = None) -> Subscription:
    """Convert an ended trial to paid: the first paid period starts at the trial end,
    and its invoice is issued in the same transaction (the billing run calls this)."""
    now = clock.resolve(now)
    with transaction.atomic():
        locked = _lock(subscription)
        if locked.status != Status.TRIAL:
            raise conflict("Only a trial can be converted to paid.", "status")
        if now < locked.trial_ends_at:
            raise conflict("The trial has not ended yet.", "status")
        before = snapshot(locked, _STATE_FIELDS)
        changed = lifecycle.transition(locked, Status.ACTIVE, now=now)
        anchor = locked.trial_ends_at
        locked.billing_anchor = anchor
        locked.current_period_start = anchor
        locked.current_period_end = add_months(anchor, locked.plan.term_months)
        locked.next_payment_date = locked.current_period_end.date()
        locked.save(
            update_fields=[
                *changed,
                "billing_anchor",
                "current_period_start",
                "current_period_end",
                "next_payment_date",
            ]
        )
        record_subscription_event(type="subscription.activated", subscription=locked, now=now)
        invoice_issue_period(
            actor=actor,
            subscription=locked,
            seats=locked.seats,
            start=locked.current_period_start,
            end=locked.current_period_end,
            now=now,
        )
        _audit_change(actor, locked, "subscription.activate", before=before, now=now)
    return locked


def _purchase_buyer(actor: Actor, subscription: Subscription) -> Buyer:
    """Who pays for seats this actor buys, after checking they may buy at all.

    The managing reseller (or vendor staff) buys at its discount, billed to the reseller.
    A customer admin with purchase rights buys at list price, billed to the customer
    (seed 004: "they can buy licenses, but without the reseller discount").
    """
    tenant = actor.tenant
    if tenant.customer is not None:
        if subscription.customer_id != tenant.customer.pk:
            raise not_found("subscription", "subscription")
        may_buy = (
            actor.user is not None
            and subscription.admins.filter(
                kind=SubscriptionAdmin.Kind.CUSTOMER, can_purchase=True, email=actor.user.email.lower()
            ).exists()
        )
        if not may_buy:
            raise forbidden("Your reseller manages this subscription; you have no purchase rights.")
        return Buyer.of_customer(subscription.customer)
    _require_manager(actor, subscription)
    return Buyer.of_reseller(subscription.reseller)


def _top_up_quote(subscription: Subscription, extra: int, buyer: Buyer, now: datetime) -> Quote:
    """What ``extra`` seats cost now: the rest of the current period, prorated by the
    plan's policy. Free during a trial and under the ``none`` policy (the renewal bills them)."""
    plan = subscription.plan
    if subscription.status == Status.TRIAL:
        return empty_quote(currency=plan.currency, effective="now")
    proration = prorate(
        policy=plan.proration_policy,
        term_price=plan.price_per_seat,
        term_months=plan.term_months,
        period_start=subscription.current_period_start,
        period_end=subscription.current_period_end,
        now=now,
    )
    if proration.per_seat == 0 or now >= subscription.current_period_end:
        return empty_quote(currency=plan.currency, effective="now")
    line = top_up_line(
        plan=plan, extra=extra, proration=proration, start=now, end=subscription.current_period_end, buyer=buyer
    )
    return quote(lines=[line], currency=plan.currency, buyer=buyer, on=now.date())


def subscription_seats_preview(
    *, actor: Actor, subscription: Subscription, seats: int, now: datetime | None = None
) -> Quote:
    """The quote for changing to ``seats`` seats, without changing anything.

    More seats: the prorated charge, effective now. Fewer: nothing to pay, effective at
    the renewal (and refused below the seats assigned, as the order would be).
    """
    buyer = _purchase_buyer(actor, subscription)
    now = clock.resolve(now)
    fresh = Subscription.objects.select_related("plan__product").get(pk=subscription.pk)
    lifecycle.require_usable(fresh, "change seats")
    seats = _validate_seats(fresh.plan, seats)
    if seats == fresh.seats:
        raise invalid(f"The subscription already has {seats} seats.", "seats")
    if seats < fresh.seats:
        if seats < fresh.assigned:
            raise conflict(f"{fresh.assigned} seats are assigned to members; remove members first.", "seats")
        return empty_quote(currency=fresh.plan.currency, effective="renewal")
    return _top_up_quote(fresh, seats - fresh.seats, buyer, now)


def subscription_change_seats(
    *, actor: Actor, subscription: Subscription, seats: int, now: datetime | None = None
) -> tuple[Subscription, Invoice | None]:
    """Change the seats bought (seed 002's +/- then "order now").

    More seats (a top-up) are usable at once; the prorated charge for the rest of the
    period is invoiced in the same transaction (no invoice when nothing is charged: in
    a trial, or under the ``none`` policy). Fewer seats are scheduled for the renewal
    (:func:`subscription_schedule_seat_reduction`). A scheduled reduction stays as it is.
    """
    buyer = _purchase_buyer(actor, subscription)
    now = clock.resolve(now)
    # Read before the transaction when a charge is likely: while it runs, every other writer
    # waits (SQLite: for the database; PostgreSQL: for the year's invoice counter).
    seller = seller_snapshot() if isinstance(seats, int) and seats > subscription.seats else None
    with transaction.atomic():
        locked = _lock(subscription)
        lifecycle.require_usable(locked, "change seats")
        seats = _validate_seats(locked.plan, seats)
        if seats == locked.seats:
            raise invalid(f"The subscription already has {seats} seats.", "seats")
        if seats < locked.seats:
            if buyer.customer is not None:
                raise forbidden("Only the reseller can reduce seats.")
            reduced = subscription_schedule_seat_reduction(actor=actor, subscription=locked, seats=seats, now=now)
            return reduced, None
        return _top_up(actor, locked, seats=seats, buyer=buyer, seller=seller, now=now)


def _top_up(
    actor: Actor, locked: Subscription, *, seats: int, buyer: Buyer, seller: dict[str, str] | None, now: datetime
) -> tuple[Subscription, Invoice | None]:
    """More seats for the locked subscription, in its transaction: the ledger entry, the
    seats, the invoice and their audit entries and events. Pipelined (core/bulk.py): of its
    statements only those whose answers it reads wait for them (the endpoints, the ids of
    the ledger entry, invoice and e-mail, the invoice number): on PostgreSQL three round
    trips fewer, two of them while every other writer waits for the invoice counter."""
    quote = _top_up_quote(locked, seats - locked.seats, buyer, now)
    with pipelined():
        # Before the invoice number: its counter row stays locked from then until commit.
        endpoints_of = webhook_endpoints_of({locked.reseller_id})
        before = snapshot(locked, _STATE_FIELDS)
        entry = _ledger(
            locked,
            at=now,
            seats_from=locked.seats,
            seats_to=seats,
            reason=SeatLedgerEntry.Reason.TOP_UP,
            effective="now",
            actor=actor,
        )
        locked.seats = seats
        update_rows([locked], ["seats"])
        invoice = None
        events: list[Event] = []
        audits: list[AuditEvent] = []
        if not quote.is_free:
            issued = invoice_issue_records(
                actor=actor,
                subscription=locked,
                quote=quote,
                now=now,
                ledger_entry=entry,
                seller=seller,
            )
            invoice = issued.invoice
            events.append(issued.event)
            audits.append(issued.audit)
        audits.append(
            audit_entry(
                actor=actor,
                action="subscription.change_seats",
                obj=locked,
                acting_on=locked.customer,
                reseller=locked.reseller,
                before=before,
                after={
                    **snapshot(locked, _STATE_FIELDS),
                    "billed_to": buyer.kind,
                    "invoice": invoice.number if invoice else None,
                },
                now=now,
            )
        )
        # The invoice's records, then the change's, each kind in one statement.
        insert_rows(audits)
        events.append(
            subscription_event(
                type="subscription.seats_changed",
                subscription=locked,
                now=now,
                extra={"effective": "now", "previous_seats": before["seats"]},
            )
        )
        record_events(events, products=[None] * (len(events) - 1) + [locked.plan.product], endpoints_of=endpoints_of)
    return locked, invoice


def member_add(*, actor: Actor, subscription: Subscription, email: str, now: datetime | None = None) -> Member:
    """Assign a license to ``email`` (seed 004: "while unused licenses remain").

    The subscription row is locked first, so concurrent adds queue up and the last
    free seat goes to exactly one of them; the database check ``assigned <= seats``
    backs this up. The member is e-mailed an activation link (after commit).
    """
    _require_manager(actor, subscription, members_only=True)
    email = normalize_email(email, "email")
    now = clock.resolve(now)
    with transaction.atomic():
        locked = _lock(subscription)
        lifecycle.require_usable(locked, "add members")
        if locked.assigned >= locked.seats:
            raise conflict(f"No free seat: all {locked.seats} licenses are assigned. Add licenses first.", "email")
        if locked.members.filter(email=email).exists():
            raise conflict(f"{email} already holds a license in this subscription.", "email")
        try:
            with transaction.atomic():
                member = Member.objects.create(subscription=locked, email=email, invited_at=now)
        except IntegrityError:
            raise conflict(f"{email} already holds a license in this subscription.", "email") from None
        Subscription.objects.filter(pk=locked.pk).update(assigned=F("assigned") + 1)
        audit_record(
            actor=actor,
            action="member.add",
            obj=member,
            acting_on=locked.customer,
            reseller=locked.reseller,
            after={"email": email, "subscription": locked.public_id},
            now=now,
        )
        member_invite(actor=actor, member=member, now=now)
        record_event(
            type="member.added",
            reseller=locked.reseller,
            customer=locked.customer,
            data=member_data(member, locked),
            now=now,
        )
    return member


def member_remove(*, actor: Actor, subscription: Subscription, member: Member, now: datetime | None = None) -> None:
    """Take a license back; the seat is free again. The subscription's dates do not move
    (seed 004: "the expiry date does not pause")."""
    _require_manager(actor, subscription, members_only=True)
    now = clock.resolve(now)
    with transaction.atomic():
        locked = _lock(subscription)
        deleted, _ = Member.objects.filter(pk=member.pk, subscription=locked).delete()
        if not deleted:
            raise not_found("member", "member")
        Subscription.objects.filter(pk=locked.pk).update(assigned=F("assigned") - 1)
        audit_record(
            actor=actor,
            action="member.remove",
            obj=member,
            acting_on=locked.customer,
            reseller=locked.reseller,
            before={"email": member.email, "status": member.status},
            now=now,
        )
        record_event(
            type="member.removed",
            reseller=locked.reseller,
            customer=locked.customer,
            data=member_data(member, locked),
            now=now,
        )


def admin_add(
    *,
    actor: Actor,
    subscription: Subscription,
    email: str,
    name: str = "",
    can_purchase: bool = False,
    now: datetime | None = None,
) -> SubscriptionAdmin:
    """Add a customer admin. Admins hold no seat.

    ``can_purchase`` lets the admin buy licenses at list price, billed to the customer
    without the reseller discount (the warning of seed 004); only the reseller grants it.
    Someone not yet administering the customer is e-mailed an invitation (after commit).
    """
    _require_manager(actor, subscription, members_only=True)
    if can_purchase and actor.tenant.customer is not None:
        raise forbidden("Only the reseller can grant purchase rights.")
    email = normalize_email(email, "email")
    now = clock.resolve(now)
    with transaction.atomic():
        locked = _lock(subscription)
        if locked.is_ended:
            raise conflict("This subscription has ended.", "status")
        if locked.admins.filter(email=email).exists():
            raise conflict(f"{email} is already an admin of this subscription.", "email")
        try:
            with transaction.atomic():
                admin = SubscriptionAdmin.objects.create(
                    subscription=locked,
                    email=email,
                    name=(name or "").strip()[:200],
                    kind=SubscriptionAdmin.Kind.CUSTOMER,
                    can_purchase=can_purchase,
                    created_at=now,
                )
        except IntegrityError:
            raise conflict(f"{email} is already an admin of this subscription.", "email") from None
        _invite_customer_admin(actor, locked.customer, locked, email, admin.name, now)
        audit_record(
            actor=actor,
            action="admin.add",
            obj=admin,
            acting_on=locked.customer,
            reseller=locked.reseller,
            after={"email": email, "can_purchase": can_purchase, "subscription": locked.public_id},
            now=now,
        )
    return admin


def admin_remove(
    *, actor: Actor, subscription: Subscription, admin: SubscriptionAdmin, now: datetime | None = None
) -> None:
    """Remove an admin. The reseller's own admin stays: it is how the reseller manages
    the subscription."""
    _require_manager(actor, subscription, members_only=True)
    now = clock.resolve(now)
    with transaction.atomic():
        locked = _lock(subscription)
        if admin.kind == SubscriptionAdmin.Kind.RESELLER:
            raise conflict("The reseller's admin cannot be removed.", "admin")
        deleted, _ = SubscriptionAdmin.objects.filter(pk=admin.pk, subscription=locked).delete()
        if not deleted:
            raise not_found("admin", "admin")
        audit_record(
            actor=actor,
            action="admin.remove",
            obj=admin,
            acting_on=locked.customer,
            reseller=locked.reseller,
            before={"email": admin.email, "kind": admin.kind},
            now=now,
        )
