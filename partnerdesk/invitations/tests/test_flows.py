"""Each flow end to end: the service sends real e-mail through a local SMTP server, the
test reads it, follows its link with the test client and accepts."""

from datetime import timedelta
from urllib.parse import urlsplit

import pytest

from partnerdesk.accounts.models import User
from partnerdesk.core.actors import Actor
from partnerdesk.customers.models import Customer
from partnerdesk.customers.selectors import customers_administered_by
from partnerdesk.customers.tests.factories import make_customer
from partnerdesk.invitations.models import Invitation
from partnerdesk.notifications.testing import html_of, links_in, subject_of, text_of
from partnerdesk.subscriptions import services as subs
from partnerdesk.subscriptions.models import Member, Subscription, SubscriptionAdmin
from partnerdesk.subscriptions.tests.factories import make_subscription

pytestmark = pytest.mark.django_db(transaction=True)  # real commits: e-mail leaves on commit
PASSWORD = "correct horse battery staple"


@pytest.fixture(autouse=True)
def sandbox_clock(settings, db, now):
    """The pages read the clock; the sandbox clock makes it the tests' ``now``."""
    from partnerdesk.core import clock

    settings.SANDBOX = True
    clock.set_sandbox_now(now)


def the_link(inbox, to: str) -> str:
    [message] = inbox.to(to)
    [link] = links_in(message, "http://127.0.0.1:8000/invitations/")
    assert link in html_of(message)
    return urlsplit(link).path


def accept(client, path: str, name: str = "Sophie Bakker", password: str = PASSWORD):
    return client.post(path, {"name": name, "password": password, "password2": password})


class TestCustomerAdmin:
    def test_invited_contact_follows_the_link_sets_a_password_and_manages_the_customer(self, client, inbox, actor, now):
        customer = make_customer(actor, now=now, name="Amstel Logistiek B.V.", invite=True)
        assert customer.status == "invited"
        [message] = inbox.to("it@amstel.example")
        assert subject_of(message) == "Isar Systemhaus GmbH invited you to manage Amstel Logistiek B.V."
        assert "Hello Sophie Bakker," in text_of(message)
        path = the_link(inbox, "it@amstel.example")

        page = client.get(path)
        assert page.status_code == 200
        assert b"it@amstel.example" in page.content and b'name="password"' in page.content
        response = accept(client, path)
        assert response.status_code == 302 and response["Location"] == "/invitations/welcome/"

        user = User.objects.get(email="it@amstel.example")
        assert user.name == "Sophie Bakker" and user.check_password(PASSWORD)
        assert client.session["_auth_user_id"] == str(user.pk)
        assert Customer.objects.get(pk=customer.pk).status == "active"
        [administered] = customers_administered_by(user)
        assert Actor.customer_user(user, administered).tenant.customer == customer

        welcome = client.get("/invitations/welcome/").content.decode()
        assert "Amstel Logistiek B.V." in welcome
        assert "your partner: Isar Systemhaus GmbH" in " ".join(welcome.split())

        # They come back later through the normal sign-in: the invitation verified the address.
        client.post("/accounts/logout/")
        assert "_auth_user_id" not in client.session
        back = client.post("/accounts/login/", {"login": "it@amstel.example", "password": PASSWORD})
        assert back.status_code == 302 and client.session["_auth_user_id"] == str(user.pk)

        again = accept(client.__class__(), path, name="Mallory")
        assert again.status_code == 410
        assert "already been accepted" in again.content.decode()
        assert User.objects.get(email="it@amstel.example").name == "Sophie Bakker"

    def test_the_email_and_page_speak_the_customers_language(self, client, inbox, actor, now):
        make_customer(actor, now=now, name="Zaanse Bakkerij B.V.", invite=True, language="nl")
        [message] = inbox.to("it@zaanse.example")
        assert subject_of(message) == "Isar Systemhaus GmbH nodigt u uit om Zaanse Bakkerij B.V. te beheren"
        assert "Uitnodiging accepteren" in text_of(message)

    def test_the_admin_named_at_subscription_creation_is_invited_and_linked(
        self, client, inbox, actor, trial_plan, now
    ):
        customer = make_customer(actor, now=now, name="Amstel Logistiek B.V.")
        assert inbox.messages == []
        subscription = make_subscription(
            actor,
            trial_plan,
            customer=customer,
            now=now,
            customer_can_manage=True,
            customer_admin=subs.CustomerAdminInput(email="Eva@Amstel.example", name="Eva de Vries"),
        )
        [message] = inbox.to("eva@amstel.example")
        assert "Signatures for Microsoft 365" in text_of(message)
        accept(client, the_link(inbox, "eva@amstel.example"), name="Eva de Vries")
        admin = SubscriptionAdmin.objects.get(subscription=subscription, kind="customer")
        assert admin.user == User.objects.get(email="eva@amstel.example")

    def test_someone_signed_in_as_another_user_cannot_accept(self, client, inbox, actor, now):
        make_customer(actor, now=now, name="Amstel Logistiek B.V.", invite=True)
        path = the_link(inbox, "it@amstel.example")
        client.force_login(User.objects.create_user(email="mallory@evil.example", password=PASSWORD))
        response = client.post(path, {})
        assert response.status_code == 403
        assert "sent to it@amstel.example" in response.content.decode()
        assert Invitation.objects.get().status == "pending"
        assert Customer.objects.get().status == "invited"

    def test_a_cancelled_or_expired_link_shows_why(self, client, inbox, actor, now):
        make_customer(actor, now=now, name="Amstel Logistiek B.V.", invite=True)
        path = the_link(inbox, "it@amstel.example")
        Invitation.objects.update(expires_at=now - timedelta(seconds=1), sent_at=now - timedelta(days=7))
        response = client.get(path)
        assert response.status_code == 410 and "expired" in response.content.decode()
        assert client.get("/invitations/not-a-token/").status_code == 404


class TestMemberActivation:
    def test_a_member_gets_an_email_and_activates_the_license(self, client, inbox, actor, annual_plan, now):
        subscription = make_subscription(actor, annual_plan, now=now, seats=2)
        member = subs.member_add(actor=actor, subscription=subscription, email="Anna@Amstel.example", now=now)
        assert member.status == "invited"
        [message] = inbox.to("anna@amstel.example")
        assert subject_of(message) == "Activate your AxCrypt Business license"

        accept(client, the_link(inbox, "anna@amstel.example"), name="Anna Jansen")
        member.refresh_from_db()
        user = User.objects.get(email="anna@amstel.example")
        assert (member.status, member.user, member.activated_at is not None) == ("active", user, True)
        welcome = client.get("/invitations/welcome/").content.decode()
        assert "AxCrypt Business (Active)" in welcome

    def test_removing_a_member_frees_the_seat_and_keeps_the_dates(self, inbox, actor, annual_plan, now):
        subscription = make_subscription(actor, annual_plan, now=now, seats=1)
        member = subs.member_add(actor=actor, subscription=subscription, email="anna@amstel.example", now=now)
        dates = Subscription.objects.values("current_period_end", "next_payment_date").get(pk=subscription.pk)
        subs.member_remove(actor=actor, subscription=subscription, member=member, now=now + timedelta(days=40))
        after = Subscription.objects.get(pk=subscription.pk)
        assert (after.assigned, after.free_seats) == (0, 1)
        assert {"current_period_end": after.current_period_end, "next_payment_date": after.next_payment_date} == dates
        assert Invitation.objects.count() == 0  # the link went with the license
        subs.member_add(actor=actor, subscription=subscription, email="bram@amstel.example", now=now)
        assert Member.objects.get().email == "bram@amstel.example"


@pytest.mark.parametrize(
    ("language", "heading"),
    [("en", "You are invited to administer"), ("de", "Sie sind eingeladen: Amstel Logistiek B.V. verwalten")],
    ids=["english", "german"],
)
def test_the_acceptance_page_speaks_the_browsers_language(client, inbox, actor, now, language, heading):
    make_customer(actor, now=now, name="Amstel Logistiek B.V.", invite=True)
    page = client.get(the_link(inbox, "it@amstel.example"), HTTP_ACCEPT_LANGUAGE=language)
    assert heading in page.content.decode()


def test_an_admin_added_later_is_invited_and_linked_on_acceptance(client, inbox, actor, annual_plan, now):
    subscription = make_subscription(actor, annual_plan, now=now, seats=2, customer_can_manage=True)
    inbox.clear()  # the contact's invitation from the creation
    admin = subs.admin_add(actor=actor, subscription=subscription, email="cfo@amstel.example", name="Eva", now=now)
    [message] = inbox.to("cfo@amstel.example")
    assert subject_of(message) == "Isar Systemhaus GmbH invited you to manage Isar Kunde GmbH"
    accept(client, the_link(inbox, "cfo@amstel.example"), name="Eva de Vries")
    admin.refresh_from_db()
    assert admin.user == User.objects.get(email="cfo@amstel.example")
    # Already an admin of the customer: a second subscription needs no new invitation.
    second = make_subscription(actor, annual_plan, now=now, customer=subscription.customer)
    subs.admin_add(actor=actor, subscription=second, email="cfo@amstel.example", now=now)
    assert len(inbox.to("cfo@amstel.example")) == 1
    assert second.admins.get(email="cfo@amstel.example").user == admin.user
