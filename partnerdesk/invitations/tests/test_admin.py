"""Vendor staff can look at invitations and the e-mail outbox, never change them."""

import pytest

from partnerdesk.accounts.models import User
from partnerdesk.customers.tests.factories import make_customer
from partnerdesk.invitations.models import Invitation
from partnerdesk.notifications.models import OutboxEmail


@pytest.fixture
def staff_client(client, db):
    client.force_login(User.objects.create_superuser(email="staff@vendor.example", password="pw"))
    return client


def test_invitations_and_outbox_are_shown_read_only(staff_client, actor, now):
    make_customer(actor, now=now, invite=True)
    invitation, email = Invitation.objects.get(), OutboxEmail.objects.get()
    for url in [
        "/admin/invitations/invitation/",
        f"/admin/invitations/invitation/{invitation.pk}/change/",
        "/admin/notifications/outboxemail/",
        f"/admin/notifications/outboxemail/{email.pk}/change/",
    ]:
        page = staff_client.get(url)
        assert page.status_code == 200, url
        assert invitation.token_hash not in page.content.decode()
    assert (
        staff_client.post(f"/admin/invitations/invitation/{invitation.pk}/delete/", {"post": "yes"}).status_code == 403
    )
    assert Invitation.objects.count() == 1
