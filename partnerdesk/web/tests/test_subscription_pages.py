from __future__ import annotations

import pytest

from partnerdesk.accounts.models import ResellerMembership
from partnerdesk.audit.models import AuditEvent
from partnerdesk.customers.models import Customer
from partnerdesk.subscriptions.models import Subscription, SubscriptionAdmin

pytestmark = pytest.mark.django_db


def url(sub, action=""):
    return f"/console/subscriptions/{sub.public_id}/{action}"


def new_form(**overrides):
    data = {
        "customer": "",
        "company_name": "Kanal Druckerei GmbH",
        "country": "DE",
        "vat_id": "",
        "product": "signatures-m365",
        "term": "1",
        "seats": "5",
        "payment_method": "bank_transfer",
        "customer_can_manage": "on",
        "contact_name": "Lena Weber",
        "contact_email": "lena@kanal.example",
        "confirm": "1",
    }
    return data | overrides


def test_new_customer_subscription_with_a_customer_admin(client_in, trial_plan, reseller_and_user):
    response = client_in.post("/console/subscriptions/new", new_form())
    sub = Subscription.objects.get(customer__company_name="Kanal Druckerei GmbH")
    assert response.status_code == 302 and response["Location"] == url(sub)
    assert (sub.status, sub.seats, sub.plan, sub.customer_can_manage) == ("trial", 5, trial_plan, True)
    assert sub.customer.status == Customer.Status.INVITED  # seed 000: the contact gets an invitation
    admins = {(a.email, a.kind) for a in sub.admins.all()}
    assert admins == {("owner@isar.example", "reseller"), ("lena@kanal.example", "customer")}
    page = client_in.get(url(sub)).content.decode()
    assert sub.public_id in page and "lena@kanal.example" in page and "The subscription for" in page


def test_new_subscription_for_an_existing_customer_without_customer_access(client_in, annual_plan, subscription):
    customer = subscription.customer
    form = new_form(customer=customer.public_id, product="axcrypt-business", term="12", seats="2")
    form.pop("customer_can_manage")
    client_in.post("/console/subscriptions/new", form)
    assert customer.subscriptions.count() == 2
    newest = customer.subscriptions.order_by("-id").first()
    assert (newest.plan, newest.seats, newest.customer_can_manage) == (annual_plan, 2, False)
    assert list(newest.admins.values_list("kind", flat=True)) == ["reseller"]


def test_a_refused_subscription_keeps_the_input_ties_the_error_to_its_field_and_creates_nothing(client_in, trial_plan):
    response = client_in.post("/console/subscriptions/new", new_form(vat_id="DE123", company_name="Typed Name AG"))
    assert response.status_code == 422
    form = response.context["form"]
    assert list(form.errors) == ["vat_id"]
    html = response.content.decode()
    assert 'value="Typed Name AG"' in html and 'value="lena@kanal.example"' in html
    assert 'id="id_vat_id_error"' in html
    assert not Customer.objects.exists() and not Subscription.objects.exists()


def test_a_missing_product_or_unsold_term_is_shown_at_the_product_and_term(client_in, trial_plan):
    assert list(client_in.post("/console/subscriptions/new", new_form(product="")).context["form"].errors) == [
        "product"
    ]
    response = client_in.post("/console/subscriptions/new", new_form(term="12"))
    assert list(response.context["form"].errors) == ["term"]
    assert not Customer.objects.exists()


def test_another_resellers_customer_cannot_be_chosen(client_in, trial_plan, other_subscription):
    response = client_in.post("/console/subscriptions/new", new_form(customer=other_subscription.customer.public_id))
    assert response.status_code == 422 and "customer" in response.context["form"].errors
    assert Subscription.objects.count() == 1


def test_with_many_customers_the_form_lists_only_the_acting_on_one(
    client_in, actor, now, trial_plan, other_subscription, monkeypatch
):
    """Past NEW_SUBSCRIPTION_CUSTOMERS the customer field lists the acting-on customer only
    (the acting-on search finds the others); any of the reseller's own is still accepted."""
    from partnerdesk.customers.tests.factories import make_customer
    from partnerdesk.web import views

    monkeypatch.setattr(views, "NEW_SUBSCRIPTION_CUSTOMERS", 2)
    _, beta, gamma = (make_customer(actor, now=now, name=name) for name in ["Alpha GmbH", "Beta AG", "Gamma KG"])
    html = client_in.get("/console/subscriptions/new").content.decode()
    assert "Alpha GmbH" not in html and "You have many customers" in html
    german = client_in.get("/console/subscriptions/new", HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert "Sie haben viele Kunden" in german
    client_in.post("/console/acting-on", {"customer": beta.public_id})
    html = client_in.get("/console/subscriptions/new").content.decode()
    assert f'<option value="{beta.public_id}" selected>' in html and "Gamma KG" not in html
    quote = client_in.get(
        "/console/subscriptions/new/quote", {"customer": gamma.public_id, "product": "signatures-m365"}
    )
    assert quote.status_code == 200
    refused = client_in.post("/console/subscriptions/new", new_form(customer=other_subscription.customer.public_id))
    assert refused.status_code == 422 and "customer" in refused.context["form"].errors
    created = client_in.post("/console/subscriptions/new", new_form(customer=gamma.public_id), follow=True)
    assert created.status_code == 200
    assert Subscription.objects.get(customer=gamma).plan == trial_plan


def test_with_few_customers_the_form_lists_them_all(client_in, actor, now):
    from partnerdesk.customers.tests.factories import make_customer

    for name in ["Beta AG", "Alpha GmbH"]:
        make_customer(actor, now=now, name=name)
    html = client_in.get("/console/subscriptions/new").content.decode()
    assert html.index("Alpha GmbH") < html.index("Beta AG") and "You have many customers" not in html


def test_manage_page_shows_the_seed_details(client_in, subscription):
    html = client_in.get(url(subscription)).content.decode()
    for text in [subscription.public_id, "AxCrypt Business", "Next payment date", "Current period", "0 of 3"]:
        assert text in html
    assert "March 10, 2027" in html  # next payment date: the end of the annual period


def test_another_tenants_subscription_is_not_found_for_every_action(client_in, other_subscription):
    assert client_in.get(url(other_subscription)).status_code == 404
    assert client_in.get(url(other_subscription, "seats/quote?seats=9")).status_code == 404
    for action in ["start", "cancel", "reactivate", "members", "admins", "seats", "unreduce"]:
        assert client_in.post(url(other_subscription, action), {"email": "x@y.example"}).status_code == 404
    other_subscription.refresh_from_db()
    assert (other_subscription.status, other_subscription.assigned) == ("active", 0)


def test_start_records_and_goes_to_the_launch_url(client_in, subscription):
    response = client_in.post(url(subscription, "start"))
    assert response.status_code == 302
    assert response["Location"] == f"https://axcrypt.example/start?subscription={subscription.public_id}"
    subscription.refresh_from_db()
    assert subscription.started_at is not None


def test_members_up_to_the_limit_then_the_error_is_at_the_email_field(client_in, subscription):
    for n in range(3):
        assert client_in.post(url(subscription, "members"), {"email": f"u{n}@amstel.example"}).status_code == 302
    response = client_in.post(url(subscription, "members"), {"email": "u9@amstel.example"})
    assert response.status_code == 422
    assert "No free seat" in response.context["member_form"].errors["email"][0]
    assert 'value="u9@amstel.example"' in response.content.decode()
    subscription.refresh_from_db()
    assert subscription.assigned == 3
    page = client_in.get(url(subscription)).content.decode()
    assert "All licenses are assigned" in page and 'name="email" ' not in page.split('id="admins"')[0]


def test_removing_a_member_frees_the_seat(client_in, subscription):
    client_in.post(url(subscription, "members"), {"email": "u1@amstel.example"})
    member = subscription.members.get()
    response = client_in.post(url(subscription, f"members/{member.public_id}/remove"))
    assert response.status_code == 302
    subscription.refresh_from_db()
    assert subscription.assigned == 0 and not subscription.members.exists()


def test_purchase_rights_need_the_warning_confirmed(client_in, subscription):
    form = {"email": "boss@amstel.example", "name": "Boss", "can_purchase": "on"}
    response = client_in.post(url(subscription, "admins"), form)
    assert response.status_code == 422
    assert "confirm_purchase" in response.context["admin_form"].errors
    assert "without my reseller discount" in response.content.decode()
    assert not subscription.admins.filter(email="boss@amstel.example").exists()
    client_in.post(url(subscription, "admins"), form | {"confirm_purchase": "on"})
    admin = subscription.admins.get(email="boss@amstel.example")
    assert admin.can_purchase and admin.kind == "customer"
    client_in.post(url(subscription, f"admins/{admin.public_id}/remove"))
    assert not subscription.admins.filter(email="boss@amstel.example").exists()


def test_the_resellers_own_admin_cannot_be_removed(client_in, subscription):
    own = subscription.admins.get(kind=SubscriptionAdmin.Kind.RESELLER)
    response = client_in.post(url(subscription, f"admins/{own.public_id}/remove"), follow=True)
    assert "cannot be removed" in response.content.decode()
    assert subscription.admins.filter(pk=own.pk).exists()


def test_cancel_a_trial_archives_it(client_in, actor, trial_plan, now):
    from partnerdesk.subscriptions.tests.factories import make_subscription

    trial = make_subscription(actor, trial_plan, now=now)
    client_in.post(url(trial, "cancel"), {"reason": "Not needed"})
    trial.refresh_from_db()
    assert (trial.status, trial.archived, trial.cancel_reason) == ("cancelled", True, "Not needed")
    assert [s.public_id for s in client_in.get("/console/subscriptions/archived").context["page"]] == [trial.public_id]


def test_cancel_a_paid_subscription_then_reactivate(client_in, subscription):
    client_in.post(url(subscription, "cancel"), {"reason": ""})
    subscription.refresh_from_db()
    assert subscription.cancel_at_period_end and subscription.next_payment_date is None
    assert "You can reactivate it until then" in client_in.get(url(subscription)).content.decode()
    client_in.post(url(subscription, "reactivate"))
    subscription.refresh_from_db()
    assert not subscription.cancel_at_period_end
    assert str(subscription.next_payment_date) == "2027-03-10"


def test_scheduled_reduction_is_visible_and_removable(client_in, subscription):
    response = client_in.post(url(subscription, "seats"), {"seats": "2"})
    assert response.status_code == 302
    page = client_in.get(url(subscription)).content.decode()
    assert "Scheduled change: 2 licenses from the renewal on March 10, 2027." in page
    client_in.post(url(subscription, "unreduce"))
    subscription.refresh_from_db()
    assert subscription.pending_seats is None


def test_a_reduction_below_the_assigned_seats_is_refused_at_the_seats_field(client_in, subscription):
    for n in range(2):
        client_in.post(url(subscription, "members"), {"email": f"u{n}@amstel.example"})
    response = client_in.post(url(subscription, "seats"), {"seats": "3", "step": "-1"})
    assert response.status_code == 302  # 3 - 1 = 2 seats: allowed, scheduled
    response = client_in.post(url(subscription, "seats"), {"seats": "1"})
    assert response.status_code == 422
    assert "assigned" in response.context["seats_form"].errors["seats"][0]
    subscription.refresh_from_db()
    assert subscription.pending_seats == 2


def test_a_viewer_sees_no_buttons_and_cannot_change_anything(client, reseller, subscription, django_user_model):
    viewer = django_user_model.objects.create_user(email="viewer@isar.example", password="x")
    ResellerMembership.objects.create(user=viewer, reseller=reseller, role="viewer")
    client.force_login(viewer)
    html = client.get(url(subscription)).content.decode()
    assert "You can view this subscription but not change it." in html
    assert ">Start<" not in html and "Add member" not in html
    assert ">Start<" not in client.get("/console/").content.decode()
    events = AuditEvent.objects.count()
    response = client.post(url(subscription, "members"), {"email": "x@amstel.example"})
    assert response.status_code == 422
    assert "may not do this" in response.content.decode()
    assert AuditEvent.objects.count() == events and subscription.members.count() == 0


def test_a_distributor_sees_its_sub_resellers_subscriptions_read_only(
    client_in, reseller, other_reseller, other_subscription
):
    other_reseller.parent = reseller
    other_reseller.save(update_fields=["parent"])
    html = client_in.get("/console/").content.decode()
    assert "Geheim Concurrent B.V." in html and "via" in html
    page = client_in.get(url(other_subscription)).content.decode()
    assert "You can view this subscription but not change it." in page and "Add member" not in page
    response = client_in.post(url(other_subscription, "members"), {"email": "x@geheim.example"})
    assert response.status_code == 422
    assert other_subscription.members.count() == 0
    assert client_in.post(url(other_subscription, "cancel")).status_code == 422
    other_subscription.refresh_from_db()
    assert not other_subscription.cancel_at_period_end
