from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from partnerdesk.core.actors import Tenant
from partnerdesk.customers.tests.factories import make_customer
from partnerdesk.subscriptions.services import subscription_cancel
from partnerdesk.subscriptions.tests.factories import make_subscription
from partnerdesk.web import selectors, views

pytestmark = pytest.mark.django_db


def rows(response) -> list[str]:
    """Customer names in the table, in order."""
    return [sub.customer.company_name for sub in response.context["page"].object_list]


@pytest.fixture
def three(actor, annual_plan, monthly_plan, trial_plan, now):
    a = make_subscription(
        actor, annual_plan, now=now, seats=3, customer=make_customer(actor, now=now, name="Alpha GmbH")
    )
    b = make_subscription(
        actor,
        monthly_plan,
        now=now + timedelta(hours=1),
        seats=10,
        customer=make_customer(actor, now=now, name="Beta AG"),
    )
    c = make_subscription(
        actor,
        trial_plan,
        now=now + timedelta(hours=2),
        seats=5,
        customer=make_customer(actor, now=now, name="Gamma KG"),
    )
    return a, b, c


def test_the_table_shows_the_seed_columns_and_only_this_resellers_subscriptions(client_in, three, other_subscription):
    response = client_in.get("/console/")
    assert response.status_code == 200
    assert rows(response) == ["Gamma KG", "Beta AG", "Alpha GmbH"]  # newest first
    html = response.content.decode()
    for heading in ["Customer", "Product", "Users (assigned/seats)", "Status", "Next payment date"]:
        assert heading in html
    assert "Geheim Concurrent" not in html
    assert other_subscription.public_id not in html
    assert "0/3" in html and "0/10" in html
    assert html.count(">Start<") == 3 and html.count(">Manage<") == 3


def test_search_status_product_and_sort(client_in, three, other_subscription):
    assert rows(client_in.get("/console/?q=beta")) == ["Beta AG"]
    assert rows(client_in.get("/console/?q=Geheim")) == []
    assert rows(client_in.get("/console/?status=trial")) == ["Gamma KG"]
    assert rows(client_in.get("/console/?product=axcrypt-business")) == ["Beta AG", "Alpha GmbH"]
    assert rows(client_in.get("/console/?sort=customer")) == ["Alpha GmbH", "Beta AG", "Gamma KG"]
    assert rows(client_in.get("/console/?sort=-seats")) == ["Beta AG", "Gamma KG", "Alpha GmbH"]
    assert rows(client_in.get("/console/?sort=nonsense")) == ["Gamma KG", "Beta AG", "Alpha GmbH"]


def test_pagination(client_in, three, monkeypatch):
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    first = client_in.get("/console/?sort=customer")
    assert rows(first) == ["Alpha GmbH", "Beta AG"]
    assert "Page 1 of 2" in first.content.decode()
    assert rows(client_in.get("/console/?sort=customer&page=2")) == ["Gamma KG"]


def test_totals_count_live_subscriptions_and_mrr_of_paid_ones_only(client_in, three, other_subscription):
    totals = client_in.get("/console/").context["totals"]
    assert totals.live_subscriptions == 3
    assert totals.seats == 18
    # annual 3 x 120 / 12 = 30.00, monthly 10 x 12 = 120.00; the trial counts no revenue.
    assert totals.mrr == {"EUR": Decimal("150.00")}
    assert "€150.00" in client_in.get("/console/").content.decode()


def test_totals_follow_the_filters(client_in, three):
    totals = client_in.get("/console/?status=trial").context["totals"]
    assert (totals.live_subscriptions, totals.seats, totals.mrr) == (1, 5, {})


def test_ended_subscriptions_leave_the_dashboard_for_the_archive(client_in, actor, three, other_actor, now):
    _, _, trial = three
    subscription_cancel(actor=actor, subscription=trial, now=now + timedelta(days=1))
    assert rows(client_in.get("/console/")) == ["Beta AG", "Alpha GmbH"]
    archived = client_in.get("/console/subscriptions/archived")
    assert rows(archived) == ["Gamma KG"]
    assert "Cancelled" in archived.content.decode()


def test_history_counts_seats_per_month_from_the_ledger(actor, annual_plan, now):
    make_subscription(actor, annual_plan, now=now - timedelta(days=70), seats=4)
    points = selectors.seats_and_revenue_history(
        selectors.dashboard_subscriptions(Tenant.for_reseller(actor.reseller)), now=now
    )
    assert len(points) == 12
    assert points[-1].month.month == 3 and points[0].month.month == 4  # April 2025 .. March 2026
    by_month = {p.month.month: (p.seats, p.revenue) for p in points}
    assert by_month[11] == (0, Decimal("0.00"))
    assert by_month[12] == (4, Decimal("40.00"))  # created 30 Dec 2025: held at December's end
    assert by_month[1] == (4, Decimal("40.00"))
    assert by_month[3] == (4, Decimal("40.00"))


def test_chart_is_drawn_without_inline_styles(client_in, three):
    html = client_in.get("/console/").content.decode()
    assert "<svg" in html and html.count('class="bar"') == 12
    assert "style=" not in html
