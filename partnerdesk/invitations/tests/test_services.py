from datetime import timedelta
from hashlib import sha256

import pytest
from allauth.account.models import EmailAddress

from partnerdesk.accounts.models import ResellerMembership, User
from partnerdesk.audit.models import AuditEvent
from partnerdesk.core.actors import Actor
from partnerdesk.core.errors import DomainError
from partnerdesk.customers.models import Customer, CustomerMembership
from partnerdesk.customers.tests.factories import make_customer
from partnerdesk.invitations import services
from partnerdesk.invitations.models import Invitation
from partnerdesk.invitations.tests.factories import token_sent_to
from partnerdesk.notifications.models import OutboxEmail

PASSWORD = "correct horse battery staple"


def refused(code: str, call, *args, **kwargs) -> DomainError:
    with pytest.raises(DomainError) as error:
        call(*args, **kwargs)
    assert error.value.code == code, error.value
    return error.value


def state() -> tuple:
    """Everything a refused acceptance must leave alone."""
    return (
        list(Invitation.objects.order_by("pk").values_list("status", "token_hash", "expires_at", "accepted_by")),
        list(Customer.objects.order_by("pk").values_list("status", flat=True)),
        CustomerMembership.objects.count(),
        ResellerMembership.objects.count(),
        list(User.objects.order_by("pk").values_list("email", "password", "name")),
        EmailAddress.objects.count(),
        AuditEvent.objects.count(),
    )


@pytest.fixture
def invited(actor, now):
    """A customer created with an invitation for its contact (seed 002)."""
    return make_customer(actor, now=now, name="Amstel Logistiek B.V.", invite=True)


class TestToken:
    def test_the_token_is_256_random_bits_and_only_its_hash_is_stored(self, invited):
        token = token_sent_to("it@amstel.example")
        invitation = Invitation.objects.get()
        assert len(token) == 43  # base64 of 32 bytes
        assert invitation.token_hash == sha256(token.encode()).hexdigest()
        stored = " ".join(str(value) for value in Invitation.objects.values().get().values())
        assert token not in stored

    def test_each_invitation_gets_its_own_token(self, actor, now):
        make_customer(actor, now=now, name="Amstel Logistiek B.V.", invite=True)
        make_customer(actor, now=now, name="Zaanse Bakkerij B.V.", invite=True)
        assert token_sent_to("it@amstel.example") != token_sent_to("it@zaanse.example")

    def test_an_unknown_token_is_not_found(self, invited, now):
        before = state()
        refused("not_found", services.invitation_accept, token="x" * 43, name="A", password=PASSWORD, now=now)
        assert state() == before


class TestAccept:
    def test_accepting_creates_the_account_and_activates_the_customer(self, invited, now):
        assert invited.status == "invited"
        token = token_sent_to("it@amstel.example")
        invitation, user = services.invitation_accept(
            token=token, name="Sophie Bakker", password=PASSWORD, now=now + timedelta(hours=2)
        )
        invited.refresh_from_db()
        assert invited.status == "active"
        assert (user.email, user.name) == ("it@amstel.example", "Sophie Bakker")
        assert user.check_password(PASSWORD)
        assert list(CustomerMembership.objects.values_list("user__email", "customer")) == [
            ("it@amstel.example", invited.pk)
        ]
        assert (invitation.status, invitation.accepted_by, invitation.responded_at) == (
            "accepted",
            user,
            now + timedelta(hours=2),
        )
        assert EmailAddress.objects.filter(user=user, email="it@amstel.example", verified=True, primary=True).exists()
        event = AuditEvent.objects.get(action="invitation.accept")
        assert (event.actor, event.acting_on, event.after["status"]) == ("it@amstel.example", invited, "accepted")

    def test_accepting_twice_fails_and_changes_nothing(self, invited, now):
        token = token_sent_to("it@amstel.example")
        services.invitation_accept(token=token, name="Sophie Bakker", password=PASSWORD, now=now)
        before = state()
        error = refused("conflict", services.invitation_accept, token=token, name="Mallory", password="x" * 20, now=now)
        assert error.message == "This invitation has already been accepted."
        assert state() == before
        assert User.objects.get(email="it@amstel.example").name == "Sophie Bakker"

    @pytest.mark.parametrize(
        ("after", "accepted"),
        [(timedelta(days=7) - timedelta(seconds=1), True), (timedelta(days=7), False), (timedelta(days=30), False)],
        ids=["last-second", "exactly-7-days", "a-month-late"],
    )
    def test_an_invitation_lasts_seven_days(self, invited, now, after, accepted):
        token = token_sent_to("it@amstel.example")
        before = state()
        if accepted:
            services.invitation_accept(token=token, name="Sophie Bakker", password=PASSWORD, now=now + after)
            assert Customer.objects.get().status == "active"
        else:
            error = refused(
                "conflict", services.invitation_accept, token=token, name="S", password=PASSWORD, now=now + after
            )
            assert error.message == "This invitation has expired; ask for a new one."
            assert state() == before

    def test_the_lifetime_is_configurable(self, settings, actor, now):
        settings.INVITATION_DAYS = 2
        make_customer(actor, now=now, invite=True)
        assert Invitation.objects.get().expires_at == now + timedelta(days=2)

    def test_a_signed_in_user_with_another_email_cannot_accept(self, invited, now):
        stranger = User.objects.create_user(email="mallory@evil.example", password=PASSWORD)
        token = token_sent_to("it@amstel.example")
        before = state()
        error = refused("permission_denied", services.invitation_accept, token=token, user=stranger, now=now)
        assert "another e-mail address" in error.message
        assert state() == before

    def test_the_invited_user_when_signed_in_accepts_without_a_new_password(self, invited, now):
        user = User.objects.create_user(email="IT@amstel.example", password=PASSWORD, name="Sophie")
        _, accepted_by = services.invitation_accept(token=token_sent_to("it@amstel.example"), user=user, now=now)
        assert accepted_by == user and user.check_password(PASSWORD)
        assert CustomerMembership.objects.filter(user=user, customer=invited).exists()

    def test_an_existing_account_must_sign_in_first(self, invited, now):
        User.objects.create_user(email="it@amstel.example", password=PASSWORD, name="Sophie")
        before = state()
        error = refused(
            "conflict",
            services.invitation_accept,
            token=token_sent_to("it@amstel.example"),
            name="Mallory",
            password="another password 123",
            now=now,
        )
        assert error.param == "password"
        assert state() == before

    @pytest.mark.parametrize(
        ("name", "password", "param"),
        [("", PASSWORD, "name"), ("Sophie", "123", "password"), ("Sophie", "password", "password")],
        ids=["no-name", "short-password", "common-password"],
    )
    def test_a_bad_name_or_password_changes_nothing(self, invited, now, name, password, param):
        before = state()
        error = refused(
            "invalid_request",
            services.invitation_accept,
            token=token_sent_to("it@amstel.example"),
            name=name,
            password=password,
            now=now,
        )
        assert error.param == param
        assert state() == before


class TestResendAndCancel:
    def test_resend_issues_a_new_link_and_the_old_one_stops_working(self, actor, invited, now):
        old = token_sent_to("it@amstel.example")
        invitation = Invitation.objects.get()
        later = now + timedelta(days=6)
        services.invitation_resend(actor=actor, invitation=invitation, now=later)
        new = token_sent_to("it@amstel.example")
        assert new != old
        assert OutboxEmail.objects.filter(to="it@amstel.example").count() == 2
        invitation.refresh_from_db()
        assert (invitation.sent_at, invitation.expires_at) == (later, later + timedelta(days=7))
        before = state()
        refused("not_found", services.invitation_accept, token=old, name="S", password=PASSWORD, now=later)
        assert state() == before
        services.invitation_accept(token=new, name="Sophie", password=PASSWORD, now=later + timedelta(days=6))
        assert Customer.objects.get().status == "active"

    def test_an_expired_invitation_can_be_resent(self, actor, invited, now):
        services.invitations_expire(now=now + timedelta(days=8))
        invitation = Invitation.objects.get()
        assert invitation.status == "expired"
        services.invitation_resend(actor=actor, invitation=invitation, now=now + timedelta(days=9))
        services.invitation_accept(
            token=token_sent_to("it@amstel.example"), name="S", password=PASSWORD, now=now + timedelta(days=9)
        )
        assert Invitation.objects.get().status == "accepted"

    def test_cancel_stops_the_link(self, actor, invited, now):
        token = token_sent_to("it@amstel.example")
        services.invitation_cancel(actor=actor, invitation=Invitation.objects.get(), now=now)
        before = state()
        error = refused("conflict", services.invitation_accept, token=token, name="S", password=PASSWORD, now=now)
        assert error.message == "This invitation was cancelled."
        refused("conflict", services.invitation_cancel, actor=actor, invitation=Invitation.objects.get(), now=now)
        refused("conflict", services.invitation_resend, actor=actor, invitation=Invitation.objects.get(), now=now)
        assert state() == before

    def test_another_reseller_cannot_see_resend_or_cancel_it(self, other_actor, invited, now):
        invitation = Invitation.objects.get()
        before = state()
        refused("not_found", services.invitation_resend, actor=other_actor, invitation=invitation, now=now)
        refused("not_found", services.invitation_cancel, actor=other_actor, invitation=invitation, now=now)
        assert state() == before
        assert OutboxEmail.objects.count() == 1

    def test_a_viewer_cannot_resend(self, reseller, invited, now):
        viewer = User.objects.create_user(email="viewer@isar.example", password=PASSWORD)
        actor = Actor.reseller_user(viewer, reseller, "viewer")
        refused("permission_denied", services.invitation_resend, actor=actor, invitation=Invitation.objects.get())

    def test_a_second_pending_invitation_for_the_same_person_is_refused(self, actor, invited, now):
        before = state()
        refused(
            "conflict",
            services.customer_admin_invite,
            actor=actor,
            customer=invited,
            email="IT@amstel.example",
            now=now,
        )
        assert state() == before


class TestExpiry:
    def test_the_job_expires_only_what_is_due_and_is_idempotent(self, actor, now):
        make_customer(actor, now=now, name="Amstel Logistiek B.V.", invite=True)
        make_customer(actor, now=now + timedelta(days=3), name="Zaanse Bakkerij B.V.", invite=True)
        assert services.invitations_expire(now=now + timedelta(days=8)) == 1
        assert services.invitations_expire(now=now + timedelta(days=8)) == 0
        assert sorted(Invitation.objects.values_list("email", "status")) == [
            ("it@amstel.example", "expired"),
            ("it@zaanse.example", "pending"),
        ]
        assert AuditEvent.objects.filter(action="invitation.expire").count() == 1


class TestCustomerInvitation:
    def test_resend_and_cancel_by_customer(self, actor, invited, now):
        old = token_sent_to("it@amstel.example")
        services.customer_invitation_resend(actor=actor, customer=invited, now=now + timedelta(hours=1))
        assert token_sent_to("it@amstel.example") != old
        cancelled = services.customer_invitation_cancel(actor=actor, customer=invited, now=now + timedelta(hours=2))
        assert cancelled.status == "cancelled"

    def test_another_resellers_customer_is_not_found(self, other_actor, invited, now):
        before = state()
        refused("not_found", services.customer_invitation_resend, actor=other_actor, customer=invited, now=now)
        refused("not_found", services.customer_invitation_cancel, actor=other_actor, customer=invited, now=now)
        assert state() == before

    def test_a_customer_without_invitation(self, actor, now):
        customer = make_customer(actor, now=now, name="Zaanse Bakkerij B.V.")
        refused("not_found", services.customer_invitation_resend, actor=actor, customer=customer, now=now)
