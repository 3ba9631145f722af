"""``GET /subscriptions`` answers from the views cache (revisions/cache.py) between changes:
each committed change is in the next answer, whoever made it and however."""

from __future__ import annotations

import pytest

from partnerdesk.subscriptions.models import Subscription
from partnerdesk.subscriptions.tests.factories import make_subscription

pytestmark = pytest.mark.django_db(transaction=True)


def seats(api, subscription_id: str) -> int:
    body = api.get("/subscriptions").json()
    return next(row["seats"] for row in body["data"] if row["id"] == subscription_id)


def test_changes_show_in_the_next_list(api, actor, annual_plan, now):
    sub = make_subscription(actor, annual_plan, now=now, seats=3)
    assert seats(api, sub.public_id) == 3
    assert seats(api, sub.public_id) == 3  # from the cache

    assert api.post(f"/subscriptions/{sub.public_id}/seats", json={"seats": 5}).status_code == 200
    assert seats(api, sub.public_id) == 5

    Subscription.objects.filter(pk=sub.pk).update(seats=7)  # not through a service
    assert seats(api, sub.public_id) == 7

    newer = make_subscription(actor, annual_plan, now=now, seats=2)
    assert api.get("/subscriptions").json()["data"][0]["id"] == newer.public_id


def test_filters_and_pages_are_kept_apart(api, actor, annual_plan, now):
    subs = [make_subscription(actor, annual_plan, now=now, seats=n) for n in (1, 2, 3)]
    first = api.get("/subscriptions", params={"limit": 1}).json()
    second = api.get("/subscriptions", params={"limit": 1, "starting_after": first["data"][0]["id"]}).json()
    assert first["data"][0]["id"] != second["data"][0]["id"]
    assert len(api.get("/subscriptions", params={"limit": 3}).json()["data"]) == 3
    only = api.get("/subscriptions", params={"customer": subs[0].customer.public_id}).json()["data"]
    assert {row["customer"] for row in only} == {subs[0].customer.public_id}


def test_resellers_never_share_answers(api, other_api, actor, other_actor, annual_plan, now):
    mine = make_subscription(actor, annual_plan, now=now, seats=3)
    theirs = make_subscription(other_actor, annual_plan, now=now, seats=4)
    assert [row["id"] for row in api.get("/subscriptions").json()["data"]] == [mine.public_id]
    assert [row["id"] for row in other_api.get("/subscriptions").json()["data"]] == [theirs.public_id]
