"""GET /subscriptions renders its rows from plain values without pydantic validating them again
(core/api/render.py): the bytes must be exactly what the validated path gives, for every kind
of row, and each row must equal what the (validated) detail endpoint says."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone
from ninja.renderers import JSONRenderer

from partnerdesk.accounts.models import Reseller
from partnerdesk.accounts.services import apikey_create
from partnerdesk.catalog.models import Plan, Product
from partnerdesk.core.actors import Actor
from partnerdesk.core.api.schemas import Page
from partnerdesk.customers.tests.factories import make_customer
from partnerdesk.subscriptions import services
from partnerdesk.subscriptions.models import Subscription
from partnerdesk.subscriptions.schemas import SubscriptionOut
from partnerdesk.subscriptions.services import launch_url
from partnerdesk.subscriptions.tests.factories import make_subscription


def as_before(sub: Subscription) -> dict:
    """render_subscription as it was before lists were read as plain values (kept verbatim)."""
    return {
        "id": sub.public_id,
        "customer": sub.customer.public_id,
        "product": sub.plan.product.code,
        "plan": sub.plan.code,
        "status": sub.status,
        "seats": sub.seats,
        "assigned": sub.assigned,
        "trial_ends_at": sub.trial_ends_at,
        "current_period_start": sub.current_period_start,
        "current_period_end": sub.current_period_end,
        "next_payment_date": sub.next_payment_date,
        "pending_seats": sub.pending_seats,
        "cancel_at_period_end": sub.cancel_at_period_end,
        "archived": sub.archived,
        "started_at": sub.started_at,
        "launch_url": launch_url(sub) if sub.started_at else "",
        "customer_can_manage": sub.customer_can_manage,
        "payment_method": sub.payment_method,
        "created_at": sub.created_at,
    }


def validated(subscriptions: list[Subscription], has_more: bool) -> bytes:
    """The old path: model instances, validated by the response schema, rendered by ninja."""
    page = Page[SubscriptionOut].model_validate(
        {"data": [as_before(sub) for sub in subscriptions], "has_more": has_more}
    )
    return JSONRenderer().render(None, page.model_dump(), response_status=200).encode()


@pytest.fixture
def varied(actor, annual_plan, monthly_plan, trial_plan, now, other_actor):
    """One of each kind of row: trial, started (launch URL with and without a query), a
    reduction scheduled, cancelled at period end, archived, card and customer-managed, no next
    payment date, no launch URL, times with and without microseconds."""
    subs = []

    def customer(i: int):
        return make_customer(actor, now=now, name=f"Render {i} GmbH", country="DE")

    trial = make_subscription(actor, trial_plan, now=now, customer=customer(1))
    services.subscription_start(actor=actor, subscription=trial, now=now)
    subs.append(trial)
    started = make_subscription(actor, annual_plan, now=now + timedelta(microseconds=123456), customer=customer(2))
    services.subscription_start(actor=actor, subscription=started, now=now + timedelta(seconds=1, microseconds=7))
    subs.append(started)
    reduced = make_subscription(actor, monthly_plan, now=now + timedelta(minutes=1), customer=customer(3), seats=8)
    services.subscription_schedule_seat_reduction(actor=actor, subscription=reduced, seats=3, now=now)
    subs.append(reduced)
    cancelled = make_subscription(actor, annual_plan, now=now + timedelta(minutes=2), customer=customer(4))
    services.subscription_cancel(actor=actor, subscription=cancelled, reason="too dear", now=now)
    subs.append(cancelled)
    archived = make_subscription(actor, annual_plan, now=now + timedelta(minutes=3), customer=customer(5))
    Subscription.objects.filter(pk=archived.pk).update(status="expired", archived=True, next_payment_date=None)
    subs.append(archived)
    managed = make_subscription(
        actor,
        annual_plan,
        now=now + timedelta(minutes=4, microseconds=999999),
        customer=customer(6),
        customer_can_manage=True,
        payment_method="card",
    )
    subs.append(managed)
    bare = Product.objects.create(code="bare-product", name="No launch URL")
    bare_plan = Plan.objects.create(product=bare, code="bare-m", name="M", term_months=1, price_per_seat="3.00")
    unlaunchable = make_subscription(actor, bare_plan, now=now + timedelta(minutes=5), customer=customer(7))
    services.subscription_start(actor=actor, subscription=unlaunchable, now=now)
    subs.append(unlaunchable)
    make_subscription(other_actor, annual_plan, now=now + timedelta(minutes=6))  # never listed
    newest_first = sorted(subs, key=lambda sub: (sub.created_at, sub.pk), reverse=True)
    return [Subscription.objects.select_related("customer", "plan__product").get(pk=s.pk) for s in newest_first]


@pytest.mark.django_db
def test_the_list_is_byte_for_byte_the_validated_rendering(client, actor, varied):
    key = apikey_create(actor=Actor.system(), reseller=actor.reseller).secret
    auth = {"Authorization": f"Bearer {key}"}
    response = client.get("/api/v1/subscriptions?limit=100", headers=auth)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response.content == validated(varied, has_more=False)

    first = client.get("/api/v1/subscriptions?limit=3", headers=auth)
    assert first.content == validated(varied[:3], has_more=True)
    after = varied[2].public_id
    rest = client.get(f"/api/v1/subscriptions?limit=3&starting_after={after}", headers=auth)
    assert rest.content == validated(varied[3:6], has_more=True)
    archived_only = client.get("/api/v1/subscriptions?archived=true", headers=auth)
    assert archived_only.content == validated([sub for sub in varied if sub.archived], has_more=False)


@pytest.mark.django_db
def test_each_row_is_what_the_detail_endpoint_says(client, actor, varied):
    key = apikey_create(actor=Actor.system(), reseller=actor.reseller).secret
    auth = {"Authorization": f"Bearer {key}"}
    rows = client.get("/api/v1/subscriptions?limit=100", headers=auth).json()["data"]
    assert [row["id"] for row in rows] == [sub.public_id for sub in varied]
    for row in rows:
        detail = client.get(f"/api/v1/subscriptions/{row['id']}", headers=auth)
        assert json.dumps(row) == json.dumps(detail.json())  # same fields, same order, same values
    launch_urls = [row["launch_url"] for row in rows]
    assert "https://signatures.example/start?src=pd&subscription=" + varied[-1].public_id in launch_urls


def _plan(code: str, **fields) -> Plan:
    product = Product.objects.create(code=f"{code}-product", name=f"{code} product", launch_url="https://x.example/go")
    defaults = {"name": "Plan", "term_months": 12, "price_per_seat": "119.99"}
    return Plan.objects.create(product=product, code=code, **(defaults | fields))


TOP_UPS = {
    "whole months, VAT": ("actor", {"proration_policy": "whole_months"}, 5, 7),
    "daily, VAT": ("actor", {"proration_policy": "daily", "term_months": 1, "price_per_seat": "7.33"}, 3, 4),
    "reverse charge": ("other_actor", {"proration_policy": "daily"}, 2, 9),
    "trial, nothing charged": ("actor", {"trial_days": 14, "term_months": 1}, 2, 3),
    "no proration": ("actor", {"proration_policy": "none"}, 2, 3),
    "reduction at renewal": ("actor", {}, 6, 4),
}


@pytest.mark.django_db
@pytest.mark.parametrize("case", TOP_UPS.values(), ids=TOP_UPS.keys())
def test_the_seats_answer_is_what_get_says_afterwards(client, request, case):
    """POST …/seats renders the service's own objects instead of reading them back: it must say
    exactly what GET of the subscription and of the invoice say afterwards."""
    who, plan_fields, seats, new_seats = case
    actor = request.getfixturevalue(who)
    request.getfixturevalue("vendor")
    if who == "other_actor":  # a Dutch business with a VAT id: reverse charge
        Reseller.objects.filter(pk=actor.reseller.pk).update(vat_id="NL004495445B01")
    now = timezone.now()
    plan = _plan(f"render-{len(plan_fields)}-{seats}-{new_seats}", **plan_fields)
    subscription = make_subscription(actor, plan, now=now - timedelta(days=3), seats=seats)
    services.subscription_start(actor=actor, subscription=subscription, now=now - timedelta(days=2))
    key = apikey_create(actor=Actor.system(), reseller=actor.reseller).secret
    auth = {"Authorization": f"Bearer {key}"}

    response = client.post(
        f"/api/v1/subscriptions/{subscription.public_id}/seats",
        data={"seats": new_seats},
        content_type="application/json",
        headers=auth,
    )
    assert response.status_code == 200, response.content
    answer = response.json()
    expected = {
        "subscription": client.get(f"/api/v1/subscriptions/{subscription.public_id}", headers=auth).json(),
        "invoice": None,
    }
    if answer["invoice"] is not None:
        expected["invoice"] = client.get(f"/api/v1/invoices/{answer['invoice']['id']}", headers=auth).json()
    assert json.dumps(answer) == json.dumps(expected)
    if who == "other_actor":
        assert answer["invoice"]["reverse_charge"] is True and answer["invoice"]["tax"] == "0.00"
    charged = plan_fields.get("proration_policy") != "none" and "trial_days" not in plan_fields
    assert (answer["invoice"] is not None) == (charged and new_seats > seats)
