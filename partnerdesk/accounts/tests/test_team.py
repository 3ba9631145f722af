"""Reseller teams: owners invite colleagues with a role; the roles limit what they may do."""

from urllib.parse import urlsplit

import pytest

from partnerdesk.accounts import selectors, services
from partnerdesk.accounts.models import ResellerMembership, User
from partnerdesk.audit.models import AuditEvent
from partnerdesk.core.actors import Actor
from partnerdesk.core.errors import DomainError
from partnerdesk.customers.tests.factories import make_customer
from partnerdesk.invitations import services as invitations
from partnerdesk.invitations.models import Invitation
from partnerdesk.notifications.testing import links_in, subject_of
from partnerdesk.subscriptions import services as subs
from partnerdesk.subscriptions.tests.factories import make_subscription

PASSWORD = "correct horse battery staple"


def refused(code: str, call, *args, **kwargs) -> DomainError:
    with pytest.raises(DomainError) as error:
        call(*args, **kwargs)
    assert error.value.code == code, error.value
    return error.value


def colleague(reseller, role: str, email: str) -> Actor:
    user = User.objects.create_user(email=email, password=PASSWORD)
    ResellerMembership.objects.create(user=user, reseller=reseller, role=role)
    return Actor.reseller_user(user, reseller, role)


@pytest.mark.django_db(transaction=True)
def test_an_owner_invites_a_colleague_who_joins_with_the_role_by_email(client, settings, inbox, actor, now):
    from partnerdesk.core import clock

    settings.SANDBOX = True
    clock.set_sandbox_now(now)
    invitations.team_invite(actor=actor, email="Lena@Isar.example", role="billing", name="Lena Huber", now=now)
    [message] = inbox.to("lena@isar.example")
    assert subject_of(message) == "Join Isar Systemhaus GmbH on partnerdesk"
    [link] = links_in(message, "http://127.0.0.1:8000/invitations/")
    response = client.post(urlsplit(link).path, {"name": "Lena Huber", "password": PASSWORD, "password2": PASSWORD})
    assert response.status_code == 302
    lena = User.objects.get(email="lena@isar.example")
    membership = ResellerMembership.objects.get(user=lena)
    assert (membership.reseller, membership.role) == (actor.reseller, "billing")
    assert [(m.user.email, m.role) for m in selectors.team_list(actor.tenant)] == [
        ("owner@isar.example", "owner"),
        ("lena@isar.example", "billing"),
    ]
    assert "Isar Systemhaus GmbH (Billing)" in client.get("/invitations/welcome/").content.decode()


@pytest.mark.parametrize("role", ["admin", "billing", "viewer"])
def test_only_owners_invite(reseller, now, role):
    member = colleague(reseller, role, f"{role}@isar.example")
    refused("permission_denied", invitations.team_invite, actor=member, email="x@isar.example", role="viewer", now=now)
    assert Invitation.objects.count() == 0


def test_inviting_someone_already_in_the_team_or_with_a_bad_role_is_refused(actor, now):
    refused("conflict", invitations.team_invite, actor=actor, email="owner@isar.example", role="admin", now=now)
    refused("invalid_request", invitations.team_invite, actor=actor, email="x@isar.example", role="god", now=now)
    assert Invitation.objects.count() == 0


@pytest.mark.parametrize("role", ["billing", "viewer"])
def test_billing_and_viewer_cannot_change_customers_or_subscriptions(actor, reseller, annual_plan, now, role):
    subscription = make_subscription(actor, annual_plan, now=now, seats=2)
    member = colleague(reseller, role, f"{role}@isar.example")
    before = AuditEvent.objects.count()
    refused("permission_denied", make_customer, member, now=now, name="Nope GmbH")
    refused("permission_denied", subs.subscription_cancel, actor=member, subscription=subscription, now=now)
    refused("permission_denied", subs.member_add, actor=member, subscription=subscription, email="a@b.example")
    refused(
        "permission_denied",
        invitations.invitation_resend,
        actor=member,
        invitation=Invitation(kind="team_member", reseller=reseller),
    )
    assert AuditEvent.objects.count() == before


def test_an_admin_manages_customers_but_not_the_team(actor, reseller, now):
    admin = colleague(reseller, "admin", "admin@isar.example")
    make_customer(admin, now=now, name="Amstel Logistiek B.V.")
    membership = ResellerMembership.objects.get(user=admin.user)
    refused("permission_denied", services.team_member_change_role, actor=admin, membership=membership, role="owner")


def test_owners_change_roles_and_remove_colleagues_but_keep_one_owner(actor, reseller, now):
    viewer = colleague(reseller, "viewer", "viewer@isar.example")
    membership = ResellerMembership.objects.get(user=viewer.user)
    services.team_member_change_role(actor=actor, membership=membership, role="admin", now=now)
    assert ResellerMembership.objects.get(pk=membership.pk).role == "admin"
    own = ResellerMembership.objects.get(user=actor.user)
    refused("conflict", services.team_member_change_role, actor=actor, membership=own, role="viewer", now=now)
    refused("conflict", services.team_member_remove, actor=actor, membership=own, now=now)
    assert ResellerMembership.objects.get(pk=own.pk).role == "owner"
    services.team_member_remove(actor=actor, membership=membership, now=now)
    assert not ResellerMembership.objects.filter(pk=membership.pk).exists()
    assert User.objects.filter(email="viewer@isar.example").exists()
    assert list(
        AuditEvent.objects.filter(action__startswith="team.").order_by("id").values_list("action", flat=True)
    ) == [
        "team.change_role",
        "team.remove",
    ]


def test_another_resellers_team_is_out_of_reach(actor, other_actor, other_reseller, now):
    theirs = ResellerMembership.objects.get(user=other_actor.user)
    refused("not_found", services.team_member_remove, actor=actor, membership=theirs, now=now)
    refused("not_found", services.team_member_change_role, actor=actor, membership=theirs, role="viewer", now=now)
    assert ResellerMembership.objects.get(pk=theirs.pk).role == "owner"
    assert [m.user.email for m in selectors.team_list(other_actor.tenant)] == ["owner@polder.example"]


def test_a_new_resellers_owner_is_invited_to_set_a_password(vendor_actor, now):
    from partnerdesk.invitations.tests.factories import token_sent_to

    reseller, membership = services.reseller_create(
        actor=vendor_actor, name="Rhein IT GmbH", country="DE", admin_email="chef@rhein.example", now=now
    )
    assert not membership.user.has_usable_password()
    invitation = Invitation.objects.get()
    assert (invitation.kind, invitation.role, invitation.reseller) == ("team_member", "owner", reseller)
    _, user = invitations.invitation_accept(
        token=token_sent_to("chef@rhein.example"), name="Chefin", password=PASSWORD, now=now
    )
    assert user.check_password(PASSWORD)
    assert list(ResellerMembership.objects.filter(user=user).values_list("reseller__name", "role")) == [
        ("Rhein IT GmbH", "owner")
    ]


def test_an_owner_who_has_a_password_already_gets_no_invitation(vendor_actor, actor, now):
    services.reseller_create(
        actor=vendor_actor, name="Rhein IT GmbH", country="DE", admin_email="owner@isar.example", now=now
    )
    assert Invitation.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_someone_with_an_account_signs_in_first_then_accepts(client, settings, inbox, actor, other_actor, now):
    from allauth.account.models import EmailAddress

    from partnerdesk.core import clock

    settings.SANDBOX = True
    clock.set_sandbox_now(now)
    EmailAddress.objects.create(user=other_actor.user, email=other_actor.user.email, verified=True, primary=True)
    other_actor.user.set_password(PASSWORD)
    other_actor.user.save()
    invitations.team_invite(actor=actor, email="owner@polder.example", role="viewer", now=now)
    [link] = links_in(inbox.to("owner@polder.example")[0], "http://127.0.0.1:8000/invitations/")
    path = urlsplit(link).path

    page = client.get(path).content.decode()
    assert "exists already" in page and 'name="password"' not in page
    signed_in = client.post(
        f"/accounts/login/?next={path}", {"login": "owner@polder.example", "password": PASSWORD, "next": path}
    )
    assert signed_in["Location"] == path
    assert client.post(path, {}).status_code == 302
    assert sorted(ResellerMembership.objects.filter(user=other_actor.user).values_list("reseller__name", "role")) == [
        ("Isar Systemhaus GmbH", "viewer"),
        ("Polder IT B.V.", "owner"),
    ]
