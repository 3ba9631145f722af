from __future__ import annotations

import pytest
from django.test import Client

from partnerdesk.accounts.models import ApiKey, ResellerMembership

pytestmark = pytest.mark.django_db


def test_console_pages_send_csp_and_frame_denial(client_in, subscription):
    for path in ["/", "/console/", f"/console/subscriptions/{subscription.public_id}/"]:
        response = client_in.get(path, follow=True)
        csp = response.headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp
        assert response.headers["X-Frame-Options"] == "DENY"
        assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_pages_have_no_inline_script_or_style(client_in, subscription):
    for path in ["/console/", "/console/subscriptions/new", f"/console/subscriptions/{subscription.public_id}/"]:
        html = client_in.get(path).content.decode()
        assert "<script>" not in html and "style=" not in html and "<style" not in html


def test_every_post_needs_the_csrf_token(reseller_and_user, subscription):
    client = Client(enforce_csrf_checks=True)
    client.force_login(reseller_and_user[1])
    response = client.post(f"/console/subscriptions/{subscription.public_id}/members", {"email": "a@b.example"})
    assert response.status_code == 403
    assert subscription.members.count() == 0
    page = client.get(f"/console/subscriptions/{subscription.public_id}/").content.decode()
    assert page.count('method="post"') == page.count('name="csrfmiddlewaretoken"')


def test_api_key_is_shown_once_and_can_be_revoked(client_in, reseller, other_reseller):
    response = client_in.post("/console/api-keys", {"name": "crm sync"})
    key = ApiKey.objects.get(reseller=reseller)
    html = response.content.decode()
    assert response.headers["Cache-Control"] == "no-store"
    assert "shown only once" in html
    secret = html.split('<code class="secret" translate="no">')[1].split("<")[0]
    assert secret.startswith(key.prefix) and len(secret) > len(key.prefix) + 20
    assert secret not in client_in.get("/console/api-keys").content.decode()
    client_in.post(f"/console/api-keys/{key.public_id}/revoke")
    key.refresh_from_db()
    assert key.revoked_at is not None


def test_another_resellers_key_cannot_be_revoked(client_in, other_reseller, other_actor):
    from partnerdesk.accounts.services import apikey_create

    created = apikey_create(actor=other_actor, reseller=other_reseller, name="theirs")
    assert client_in.post(f"/console/api-keys/{created.api_key.public_id}/revoke").status_code == 404
    created.api_key.refresh_from_db()
    assert created.api_key.revoked_at is None
    assert "theirs" not in client_in.get("/console/api-keys").content.decode()


def test_team_page_lists_this_resellers_team_only(client_in, reseller, other_reseller):
    html = client_in.get("/console/team").content.decode()
    assert "owner@isar.example" in html and "Owner" in html
    assert "owner@polder.example" not in html


def test_a_user_of_two_resellers_switches_between_them(client, reseller_and_user, other_reseller, other_subscription):
    user = reseller_and_user[1]
    ResellerMembership.objects.create(user=user, reseller=other_reseller, role="viewer")
    client.force_login(user)
    assert "Geheim Concurrent" not in client.get("/console/").content.decode()
    client.post("/console/reseller", {"reseller": other_reseller.public_id})
    html = client.get("/console/").content.decode()
    assert "Geheim Concurrent" in html
    assert ">Start<" not in html  # a viewer there


def test_owner_invites_a_colleague_and_can_cancel(client_in, reseller):
    from partnerdesk.invitations.models import Invitation

    response = client_in.post("/console/team", {"email": "neu@isar.example", "name": "Neu", "role": "billing"})
    assert response.status_code == 302
    invitation = Invitation.objects.get(kind="team_member", reseller=reseller)
    assert (invitation.email, invitation.role) == ("neu@isar.example", "billing")
    assert "neu@isar.example" in client_in.get("/console/team").content.decode()
    taken = client_in.post("/console/team", {"email": "owner@isar.example", "role": "admin"})
    assert taken.status_code == 422 and "already in your team" in taken.context["form"].errors["email"][0]
    client_in.post(f"/console/team/invitations/{invitation.public_id}/cancel")
    invitation.refresh_from_db()
    assert invitation.status == "cancelled"


def test_an_admin_cannot_invite_colleagues(client, reseller, django_user_model):
    from partnerdesk.invitations.models import Invitation

    admin = django_user_model.objects.create_user(email="admin@isar.example", password="x")
    ResellerMembership.objects.create(user=admin, reseller=reseller, role="admin")
    client.force_login(admin)
    assert "Invite a colleague" not in client.get("/console/team").content.decode()
    response = client.post("/console/team", {"email": "neu@isar.example", "role": "owner"})
    assert response.status_code == 422 and "may not do this" in response.content.decode()
    assert not Invitation.objects.filter(kind="team_member").exists()


def test_settings_business_information(client_in, reseller):
    from partnerdesk.audit.models import AuditEvent

    page = client_in.get("/console/settings").content.decode()
    assert "Isar Systemhaus GmbH" in page and "20 %" in page
    data = {"contact_email": "vertrieb@isar.example", "vat_id": "DE136695976", "address": "Isarweg 1", "language": "de"}
    assert client_in.post("/console/settings", data).status_code == 302
    reseller.refresh_from_db()
    assert (reseller.contact_email, reseller.vat_id, reseller.language) == (
        "vertrieb@isar.example",
        "DE136695976",
        "de",
    )
    assert AuditEvent.objects.filter(action="reseller.update_business").count() == 1
    bad = client_in.post("/console/settings", data | {"vat_id": "DE123"})
    assert bad.status_code == 422 and list(bad.context["form"].errors) == ["vat_id"]
    reseller.refresh_from_db()
    assert reseller.vat_id == "DE136695976"


def test_a_viewer_cannot_change_settings(client, reseller, django_user_model):
    viewer = django_user_model.objects.create_user(email="viewer@isar.example", password="x")
    ResellerMembership.objects.create(user=viewer, reseller=reseller, role="viewer")
    client.force_login(viewer)
    assert "Save" not in client.get("/console/settings").content.decode()
    response = client.post("/console/settings", {"contact_email": "x@y.example", "language": "en"})
    assert response.status_code == 422
    reseller.refresh_from_db()
    assert reseller.contact_email == "owner@isar.example"


def test_htmx_keeps_no_page_copies_in_local_storage(client_in):
    """htmx's history cache would copy pages (an API key shown once, invoices) into
    localStorage; it is switched off, and the key's page opts out as well."""
    html = client_in.get("/console/").content.decode()
    assert '"historyCacheSize": 0' in html and '"allowEval": false' in html
    created = client_in.post("/console/api-keys", {"name": "k"}).content.decode()
    assert 'hx-history="false"' in created


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "/\\evil.example/"])
def test_acting_on_never_redirects_elsewhere(client_in, target):
    response = client_in.post("/console/acting-on", {"customer": "", "next": target})
    assert response["Location"] == "/console/"


def test_ids_on_the_subscription_page_are_unique(client_in, subscription):
    import re

    html = client_in.get(f"/console/subscriptions/{subscription.public_id}/").content.decode()
    ids = re.findall(r'\sid="([^"]+)"', html)
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
    for target in re.findall(r'<label for="([^"]+)"', html):
        assert target in ids
