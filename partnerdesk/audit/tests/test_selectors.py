"""The audit log's reads: per tenant, filterable, exported as CSV."""

import csv
import io
from datetime import timedelta

import pytest

from partnerdesk.audit.selectors import CSV_COLUMNS, audit_csv, audit_entry_data, audit_list
from partnerdesk.core.actors import Actor, Tenant
from partnerdesk.core.errors import DomainError
from partnerdesk.customers.tests.factories import make_customer
from partnerdesk.subscriptions import services as subscriptions
from partnerdesk.subscriptions.tests.factories import make_subscription


@pytest.fixture
def history(actor, other_actor, annual_plan, now):
    """Isar: customer, subscription, a member (1 h later), a cancel (1 day later); Polder: one customer."""
    sub = make_subscription(actor, annual_plan, now=now)
    subscriptions.member_add(actor=actor, subscription=sub, email="anna@kunde.example", now=now + timedelta(hours=1))
    subscriptions.subscription_cancel(
        actor=actor, subscription=sub, reason="=HYPERLINK(1)", now=now + timedelta(days=1)
    )
    make_customer(other_actor, now=now, name="Delta Haven B.V.")
    return sub


def actions(qs) -> list[str]:
    return [entry.action for entry in qs]


def test_resellers_see_their_own_entries_newest_first_and_the_vendor_sees_all(history, actor, other_actor):
    mine = Tenant.for_reseller(actor.reseller)
    assert actions(audit_list(mine)) == [
        "subscription.cancel",
        "invitation.create",
        "member.add",
        "subscription.create",
        "invoice.issue",
        "customer.create",
    ]
    assert actions(audit_list(Tenant.for_reseller(other_actor.reseller))) == ["customer.create"]
    assert len(audit_list(Tenant.for_vendor())) == 7
    assert list(audit_list(Tenant.for_customer(history.customer))) == []


def test_filters(history, actor, now):
    mine = Tenant.for_reseller(actor.reseller)
    assert actions(audit_list(mine, action="member.add")) == ["member.add"]
    assert actions(audit_list(mine, action="subscription.*")) == ["subscription.cancel", "subscription.create"]
    assert actions(audit_list(mine, object_type="subscription", object_id=history.public_id)) == [
        "subscription.cancel",
        "subscription.create",
    ]
    assert len(audit_list(mine, actor="owner@isar")) == 6
    assert len(audit_list(mine, actor="owner@polder")) == 0
    assert len(audit_list(mine, acting_on=history.customer.public_id)) == 6
    assert actions(audit_list(mine, since=now + timedelta(hours=1))) == [
        "subscription.cancel",
        "invitation.create",
        "member.add",
    ]
    assert actions(audit_list(mine, until=now + timedelta(hours=1))) == [
        "subscription.create",
        "invoice.issue",
        "customer.create",
    ]
    assert actions(audit_list(mine, since=now + timedelta(minutes=1), until=now + timedelta(days=1))) == [
        "invitation.create",
        "member.add",
    ]


def test_a_date_range_ending_before_it_starts_is_refused(actor, now):
    with pytest.raises(DomainError) as refused:
        audit_list(Tenant.for_reseller(actor.reseller), since=now, until=now)
    assert (refused.value.code, refused.value.param) == ("invalid_request", "until")


def test_entry_data_is_what_the_api_shows(history, actor):
    entry = audit_list(Tenant.for_reseller(actor.reseller), action="member.add").get()
    data = audit_entry_data(entry)
    assert data["actor"] == "owner@isar.example"
    assert data["acting_on"] == history.customer.public_id
    assert data["object"]["type"] == "member"
    assert (data["before"], data["after"]) == (None, {"email": "anna@kunde.example", "subscription": history.public_id})


def test_csv_export(history, actor):
    out = io.StringIO()
    rows = audit_csv(audit_list(Tenant.for_reseller(actor.reseller)), out)
    table = list(csv.reader(io.StringIO(out.getvalue())))
    assert rows == 6
    assert table[0] == CSV_COLUMNS
    cancel = dict(zip(CSV_COLUMNS, table[1], strict=True))
    assert cancel["at"] == "2026-03-11T09:30:00Z"
    assert (cancel["actor"], cancel["action"], cancel["object_id"]) == (
        "owner@isar.example",
        "subscription.cancel",
        history.public_id,
    )
    assert cancel["acting_on"] == history.customer.public_id
    assert '"reason": "=HYPERLINK(1)"' in cancel["after"]  # inside JSON: not a formula
    assert [row[3] for row in table[1:]] == [
        "subscription.cancel",
        "invitation.create",
        "member.add",
        "subscription.create",
        "invoice.issue",
        "customer.create",
    ]


def test_csv_cells_never_start_a_formula(actor, now):
    sly = Actor(tenant=actor.tenant, user=actor.user, role="owner", label='=HYPERLINK("http://x")')
    make_customer(sly, now=now, name="Acme GmbH")
    out = io.StringIO()
    audit_csv(audit_list(Tenant.for_reseller(actor.reseller)), out)
    row = dict(zip(CSV_COLUMNS, list(csv.reader(io.StringIO(out.getvalue())))[1], strict=True))
    assert row["actor"] == '\'=HYPERLINK("http://x")'
