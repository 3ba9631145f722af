"""A cache for the pages and lists that read a whole reseller's data (the dashboard, the
subscription list API): a value is kept under the reseller's revision (selectors.py), so any
committed change to what it was computed from makes a new key, and an old value is never served.

Order matters: the revision is read before the data. A change committed in between makes the
value newer than its key says, which is harmless (the key is already out of date); the other
order could keep old data under the new key. A request's first statement (the API key's or
the session's) reads the numbers too (``Tenant.revisions``): for requests that change nothing
(GET, HEAD), those are used, read earlier still and at no round trip of their own.

Values live in each process's memory (the ``views`` cache): a key names one exact state of the
data, so processes need not share anything to stay correct.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import TypeVar

from django.core.cache import caches
from django.db import connection
from django.http import HttpRequest

from partnerdesk.core.actors import Revisions, Tenant
from partnerdesk.revisions.selectors import reseller_revision

T = TypeVar("T")


def usable_revisions(request: HttpRequest, revisions: Revisions | None) -> Revisions | None:
    """``revisions`` as read by ``request``'s first statement, for its tenant, if the request
    changes nothing (GET, HEAD). A request that writes could commit a change and then ask for
    a value under the numbers from before it."""
    return revisions if request.method in ("GET", "HEAD") else None


def cached(tenant: Tenant, name: str, parts: tuple, compute: Callable[[], T]) -> T:
    """``compute()``, or the value it gave for the same ``name``, ``parts`` and revision of
    ``tenant``'s data. ``parts`` must hold everything else the value depends on."""
    # The vendor sees every reseller: any change anywhere would be a new key. Inside a
    # transaction the data read may be this transaction's own, not yet committed.
    if tenant.reseller is None or connection.in_atomic_block:
        return compute()
    revision = tenant.revisions if tenant.revisions is not None else reseller_revision(tenant.reseller.pk)
    key = hashlib.blake2b(repr((name, tenant.reseller.pk, revision, parts)).encode(), digest_size=20).hexdigest()
    store = caches["views"]
    value = store.get(key)
    if value is None:
        value = compute()
        store.set(key, value)
    return value
