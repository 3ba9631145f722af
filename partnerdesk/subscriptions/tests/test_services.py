from datetime import timedelta

import pytest
from django.db import transaction

from partnerdesk.audit.models import AuditEvent
from partnerdesk.core.actors import Actor
from partnerdesk.core.errors import DomainError
from partnerdesk.subscriptions import services
from partnerdesk.subscriptions.models import Member, SeatLedgerEntry, Subscription, SubscriptionAdmin
from partnerdesk.subscriptions.tests.factories import make_subscription


def refused(code: str, call, *args, **kwargs) -> DomainError:
    with pytest.raises(DomainError) as error:
        call(*args, **kwargs)
    assert error.value.code == code, error.value
    return error.value


def state(subscription: Subscription) -> tuple:
    """Everything a refused operation must leave alone."""
    fresh = Subscription.objects.get(pk=subscription.pk)
    return (
        fresh.status,
        fresh.seats,
        fresh.assigned,
        fresh.pending_seats,
        fresh.cancel_at_period_end,
        fresh.archived,
        Member.objects.count(),
        SubscriptionAdmin.objects.count(),
        SeatLedgerEntry.objects.count(),
        AuditEvent.objects.count(),
    )


class TestCreate:
    def test_a_trial_plan_starts_the_trial_at_once(self, actor, trial_plan, now):
        sub = make_subscription(actor, trial_plan, now=now, seats=10)
        assert sub.status == "trial"
        assert sub.trial_ends_at == now + timedelta(days=14)
        assert sub.next_payment_date == (now + timedelta(days=14)).date()
        assert sub.current_period_end == sub.trial_ends_at
        assert sub.public_id.startswith("sub_")

    def test_a_plan_without_trial_is_paid_from_now(self, actor, annual_plan, now):
        sub = make_subscription(actor, annual_plan, now=now)
        assert sub.status == "active"
        assert sub.trial_ends_at is None
        assert sub.current_period_end == now.replace(year=2027)
        assert str(sub.next_payment_date) == "2027-03-10"

    def test_the_resellers_user_becomes_an_admin_without_a_seat(self, actor, trial_plan, now):
        sub = make_subscription(actor, trial_plan, now=now, seats=3)
        admins = list(sub.admins.all())
        assert [(a.email, a.kind) for a in admins] == [(actor.user.email, "reseller")]
        assert sub.assigned == 0 and sub.free_seats == 3

    def test_customers_who_can_manage_get_their_admin(self, actor, trial_plan, now):
        sub = make_subscription(
            actor,
            trial_plan,
            now=now,
            customer_can_manage=True,
            customer_admin=services.CustomerAdminInput(email="Chef@Kunde.example", name="Eva Chef"),
        )
        assert sorted((a.email, a.kind) for a in sub.admins.all()) == [
            ("chef@kunde.example", "customer"),
            (actor.user.email, "reseller"),
        ]

    def test_creation_writes_ledger_and_audit(self, actor, trial_plan, now):
        sub = make_subscription(actor, trial_plan, now=now, seats=7)
        entry = sub.seat_ledger.get()
        assert (entry.seats_from, entry.seats_to, entry.reason) == (0, 7, "created")
        event = AuditEvent.objects.get(action="subscription.create")
        assert event.object_id == sub.public_id and event.reseller == actor.reseller
        assert event.acting_on == sub.customer and event.actor == actor.user.email

    @pytest.mark.parametrize("seats", [0, -1, "5", 2.5, None], ids=["zero", "negative", "string", "float", "none"])
    def test_bad_seat_numbers_change_nothing(self, actor, annual_plan, now, seats):
        from partnerdesk.customers.tests.factories import make_customer

        customer = make_customer(actor, now=now)
        before = (Subscription.objects.count(), AuditEvent.objects.count())
        error = refused(
            "invalid_request",
            services.subscription_create,
            actor=actor,
            customer=customer,
            plan=annual_plan,
            seats=seats,
            now=now,
        )
        assert error.param == "seats"
        assert (Subscription.objects.count(), AuditEvent.objects.count()) == before

    def test_plan_seat_limits(self, actor, annual_plan, now):
        annual_plan.min_seats, annual_plan.max_seats = 5, 10
        annual_plan.save()
        refused("invalid_request", make_subscription, actor, annual_plan, now=now, seats=4)
        refused("invalid_request", make_subscription, actor, annual_plan, now=now, seats=11)
        assert make_subscription(actor, annual_plan, now=now, seats=10).seats == 10

    def test_another_resellers_customer_is_not_found(self, actor, other_actor, annual_plan, now):
        from partnerdesk.customers.tests.factories import make_customer

        theirs = make_customer(other_actor, now=now)
        refused(
            "not_found", services.subscription_create, actor=actor, customer=theirs, plan=annual_plan, seats=1, now=now
        )

    def test_viewers_cannot_create(self, reseller_and_user, annual_plan, now):
        reseller, user = reseller_and_user
        viewer = Actor.reseller_user(user, reseller, "viewer")
        refused("permission_denied", make_subscription, viewer, annual_plan, now=now)


class TestStartCancelReactivate:
    def test_start_returns_the_launch_url_and_keeps_the_first_start(self, actor, trial_plan, now):
        sub = make_subscription(actor, trial_plan, now=now)
        started, url = services.subscription_start(actor=actor, subscription=sub, now=now + timedelta(hours=1))
        assert url == f"https://signatures.example/start?src=pd&subscription={sub.public_id}"
        assert started.started_at == now + timedelta(hours=1)
        again, _ = services.subscription_start(actor=actor, subscription=sub, now=now + timedelta(days=1))
        assert again.started_at == now + timedelta(hours=1)
        assert AuditEvent.objects.filter(action="subscription.start").count() == 1

    def test_cancel_in_trial_ends_at_once_and_archives(self, actor, trial_plan, now):
        sub = make_subscription(actor, trial_plan, now=now)
        later = now + timedelta(days=3)
        sub = services.subscription_cancel(actor=actor, subscription=sub, reason="too expensive", now=later)
        assert (sub.status, sub.archived, sub.ended_at, sub.next_payment_date) == ("cancelled", True, later, None)
        assert sub.cancel_reason == "too expensive"

    def test_cancel_paid_runs_to_period_end_and_can_be_reactivated(self, actor, annual_plan, now):
        sub = make_subscription(actor, annual_plan, now=now)
        sub = services.subscription_cancel(actor=actor, subscription=sub, now=now + timedelta(days=30))
        assert (sub.status, sub.cancel_at_period_end, sub.archived, sub.next_payment_date) == (
            "active",
            True,
            False,
            None,
        )
        refused("conflict", services.subscription_cancel, actor=actor, subscription=sub, now=now)
        sub = services.subscription_reactivate(actor=actor, subscription=sub, now=now + timedelta(days=31))
        assert (sub.cancel_at_period_end, str(sub.next_payment_date)) == (False, "2027-03-10")

    def test_reactivation_after_the_period_end_is_refused(self, actor, monthly_plan, now):
        sub = make_subscription(actor, monthly_plan, now=now)
        services.subscription_cancel(actor=actor, subscription=sub, now=now)
        before = state(sub)
        refused(
            "conflict", services.subscription_reactivate, actor=actor, subscription=sub, now=now + timedelta(days=40)
        )
        assert state(sub) == before

    def test_ended_subscriptions_cannot_be_cancelled_started_or_reactivated(self, actor, trial_plan, now):
        sub = services.subscription_cancel(
            actor=actor, subscription=make_subscription(actor, trial_plan, now=now), now=now
        )
        before = state(sub)
        refused("conflict", services.subscription_cancel, actor=actor, subscription=sub, now=now)
        refused("conflict", services.subscription_start, actor=actor, subscription=sub, now=now)
        refused("conflict", services.subscription_reactivate, actor=actor, subscription=sub, now=now)
        assert state(sub) == before

    def test_trial_converts_to_paid_from_the_trial_end(self, actor, trial_plan, now):
        sub = make_subscription(actor, trial_plan, now=now)
        refused("conflict", services.subscription_activate, actor=actor, subscription=sub, now=now)
        end = sub.trial_ends_at
        sub = services.subscription_activate(actor=actor, subscription=sub, now=end + timedelta(hours=5))
        assert (sub.status, sub.billing_anchor, sub.current_period_start) == ("active", end, end)
        assert sub.current_period_end == end.replace(month=4)
        assert sub.next_payment_date == end.replace(month=4).date()


class TestSeatReduction:
    def test_reduction_is_scheduled_for_renewal(self, actor, annual_plan, now):
        sub = make_subscription(actor, annual_plan, now=now, seats=10)
        sub = services.subscription_schedule_seat_reduction(actor=actor, subscription=sub, seats=6, now=now)
        assert (sub.seats, sub.pending_seats) == (10, 6)
        entry = sub.seat_ledger.order_by("-id").first()
        assert (entry.seats_from, entry.seats_to, entry.effective) == (10, 6, "renewal")
        sub = services.subscription_unschedule_seat_reduction(actor=actor, subscription=sub, now=now)
        assert sub.pending_seats is None

    def test_never_below_the_assigned_seats(self, actor, annual_plan, now):
        sub = make_subscription(actor, annual_plan, now=now, seats=5)
        for n in range(4):
            services.member_add(actor=actor, subscription=sub, email=f"u{n}@kunde.example", now=now)
        before = state(sub)
        error = refused(
            "conflict", services.subscription_schedule_seat_reduction, actor=actor, subscription=sub, seats=3, now=now
        )
        assert error.param == "seats" and "4 seats are assigned" in error.message
        assert state(sub) == before
        assert (
            services.subscription_schedule_seat_reduction(actor=actor, subscription=sub, seats=4, now=now).pending_seats
            == 4
        )

    def test_a_reduction_must_reduce(self, actor, annual_plan, now):
        sub = make_subscription(actor, annual_plan, now=now, seats=5)
        refused(
            "invalid_request",
            services.subscription_schedule_seat_reduction,
            actor=actor,
            subscription=sub,
            seats=5,
            now=now,
        )


class TestMembers:
    def test_members_fill_seats_then_are_refused(self, actor, annual_plan, now):
        sub = make_subscription(actor, annual_plan, now=now, seats=2)
        first = services.member_add(actor=actor, subscription=sub, email="A@Kunde.example", now=now)
        services.member_add(actor=actor, subscription=sub, email="b@kunde.example", now=now)
        assert (first.email, first.status, first.public_id[:4]) == ("a@kunde.example", "invited", "mem_")
        before = state(sub)
        error = refused(
            "conflict", services.member_add, actor=actor, subscription=sub, email="c@kunde.example", now=now
        )
        assert "No free seat" in error.message
        assert state(sub) == before

    def test_removing_a_member_frees_the_seat_and_keeps_the_dates(self, actor, annual_plan, now):
        sub = make_subscription(actor, annual_plan, now=now, seats=1)
        member = services.member_add(actor=actor, subscription=sub, email="a@kunde.example", now=now)
        services.member_remove(actor=actor, subscription=sub, member=member, now=now + timedelta(days=50))
        fresh = Subscription.objects.get(pk=sub.pk)
        assert fresh.assigned == 0
        assert (fresh.current_period_end, fresh.next_payment_date) == (sub.current_period_end, sub.next_payment_date)
        services.member_add(actor=actor, subscription=sub, email="a@kunde.example", now=now)
        assert Subscription.objects.get(pk=sub.pk).assigned == 1

    def test_the_same_email_twice_is_refused(self, actor, annual_plan, now):
        sub = make_subscription(actor, annual_plan, now=now, seats=3)
        services.member_add(actor=actor, subscription=sub, email="a@kunde.example", now=now)
        before = state(sub)
        refused("conflict", services.member_add, actor=actor, subscription=sub, email="A@kunde.example", now=now)
        assert state(sub) == before

    def test_a_bad_email_names_the_field(self, actor, annual_plan, now):
        sub = make_subscription(actor, annual_plan, now=now)
        assert (
            refused("invalid_request", services.member_add, actor=actor, subscription=sub, email="nope", now=now).param
            == "email"
        )

    def test_no_members_on_an_ended_subscription(self, actor, trial_plan, now):
        sub = services.subscription_cancel(
            actor=actor, subscription=make_subscription(actor, trial_plan, now=now), now=now
        )
        refused("conflict", services.member_add, actor=actor, subscription=sub, email="a@kunde.example", now=now)

    def test_customer_admins_manage_members_only_where_allowed(self, actor, annual_plan, now, db):
        from partnerdesk.accounts.models import User

        sub = make_subscription(actor, annual_plan, now=now)
        customer_user = User.objects.create_user(email="chef@kunde.example")
        as_customer = Actor.customer_user(customer_user, sub.customer)
        refused(
            "permission_denied",
            services.member_add,
            actor=as_customer,
            subscription=sub,
            email="a@kunde.example",
            now=now,
        )
        Subscription.objects.filter(pk=sub.pk).update(customer_can_manage=True)
        sub.refresh_from_db()
        services.member_add(actor=as_customer, subscription=sub, email="a@kunde.example", now=now)
        refused("permission_denied", services.subscription_cancel, actor=as_customer, subscription=sub, now=now)
        refused(
            "permission_denied",
            services.admin_add,
            actor=as_customer,
            subscription=sub,
            email="x@kunde.example",
            can_purchase=True,
            now=now,
        )


class TestAdmins:
    def test_add_and_remove_customer_admins(self, actor, annual_plan, now):
        sub = make_subscription(actor, annual_plan, now=now, seats=1)
        admin = services.admin_add(
            actor=actor, subscription=sub, email="chef@kunde.example", name="Eva", can_purchase=True, now=now
        )
        assert (admin.kind, admin.can_purchase, admin.public_id[:4]) == ("customer", True, "adm_")
        assert Subscription.objects.get(pk=sub.pk).assigned == 0  # admins hold no seat
        refused("conflict", services.admin_add, actor=actor, subscription=sub, email="chef@kunde.example", now=now)
        services.admin_remove(actor=actor, subscription=sub, admin=admin, now=now)
        assert list(sub.admins.values_list("kind", flat=True)) == ["reseller"]

    def test_the_resellers_admin_cannot_be_removed(self, actor, annual_plan, now):
        sub = make_subscription(actor, annual_plan, now=now)
        before = state(sub)
        refused("conflict", services.admin_remove, actor=actor, subscription=sub, admin=sub.admins.get(), now=now)
        assert state(sub) == before


class TestTenantBoundaries:
    """Services refuse another reseller's subscription as 'not found', whatever the call."""

    @pytest.mark.parametrize(
        "call",
        [
            lambda a, s, now: services.subscription_start(actor=a, subscription=s, now=now),
            lambda a, s, now: services.subscription_cancel(actor=a, subscription=s, now=now),
            lambda a, s, now: services.subscription_schedule_seat_reduction(actor=a, subscription=s, seats=1, now=now),
            lambda a, s, now: services.member_add(actor=a, subscription=s, email="x@y.example", now=now),
            lambda a, s, now: services.admin_add(actor=a, subscription=s, email="x@y.example", now=now),
        ],
        ids=["start", "cancel", "reduce", "member_add", "admin_add"],
    )
    def test_other_tenant(self, actor, other_actor, annual_plan, now, call):
        theirs = make_subscription(other_actor, annual_plan, now=now, seats=3)
        before = state(theirs)
        refused("not_found", call, actor, theirs, now)
        assert state(theirs) == before


def _columns(obj) -> dict:
    """Every column's value and its Python type, as the instance holds them."""
    return {f.attname: (getattr(obj, f.attname), type(getattr(obj, f.attname))) for f in obj._meta.concrete_fields}


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["trial", "started and cancelled", "reduction scheduled"])
def test_the_lock_reads_what_the_orm_reads(actor, annual_plan, trial_plan, now, kind):
    """_lock's fixed statement (taken when the caller's instance holds the relations) builds
    the instance the ORM's locked read would, relations taken from the caller's instance."""
    plan = trial_plan if kind == "trial" else annual_plan
    subscription = make_subscription(actor, plan, now=now - timedelta(days=3), seats=5)
    if kind == "started and cancelled":
        services.subscription_start(actor=actor, subscription=subscription, now=now - timedelta(days=2))
        services.subscription_cancel(actor=actor, subscription=subscription, reason="dear", now=now)
    elif kind == "reduction scheduled":
        services.subscription_schedule_seat_reduction(actor=actor, subscription=subscription, seats=3, now=now)
    held = Subscription.objects.select_related("plan__product", "customer", "reseller").get(pk=subscription.pk)
    with transaction.atomic():
        locked = services._lock(held)
        expected = (
            Subscription.objects.select_for_update(of=("self",))
            .select_related("plan__product", "customer", "reseller")
            .get(pk=subscription.pk)
        )
    assert _columns(locked) == _columns(expected)
    assert locked._state.adding is False and locked._state.db == "default"
    assert locked.plan is held.plan and locked.customer is held.customer and locked.reseller is held.reseller
    with pytest.raises(Subscription.DoesNotExist), transaction.atomic():
        gone = Subscription(pk=subscription.pk + 1000, plan=held.plan, customer=held.customer, reseller=held.reseller)
        services._lock(gone)
