"""A cache for the pages and lists that read a whole reseller's data (the dashboard, the
subscription list API): a value is kept under the reseller's revision (selectors.py), so any
committed change to what it was computed from makes a new key, and an old value is never served.

Order matters: the revision is read before the data. A change committed in between makes the
value newer than its key says, which is harmless (the key is already out of date); the other
order could keep old data under the new key. A request's first statement (the API key's or
the session's) reads the numbers too (``Tenant.revisions``): for requests that change nothing
(GET, HEAD), those are used, read earlier still and at no round trip of their own.

Values live in each process's memory: a key names one exact state of the data, so processes
need not share anything to stay correct. They are kept as they are, not copied (Django's
in-memory cache pickles each value in and out, a third of a cached list request), so they must
be immutable: bytes, strings, tuples of them. The least recently used go past ``MAX_VALUES``.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import TypeVar

from django.db import connection
from django.http import HttpRequest

from partnerdesk.core.actors import Revisions, Tenant
from partnerdesk.revisions.selectors import reseller_revision

T = TypeVar("T")

# About 30 kB a dashboard: at most some 60 MB a process.
MAX_VALUES = 2000

_values: OrderedDict[Hashable, object] = OrderedDict()
_lock = threading.Lock()


def usable_revisions(request: HttpRequest, revisions: Revisions | None) -> Revisions | None:
    """``revisions`` as read by ``request``'s first statement, for its tenant, if the request
    changes nothing (GET, HEAD). A request that writes could commit a change and then ask for
    a value under the numbers from before it."""
    return revisions if request.method in ("GET", "HEAD") else None


def cached(tenant: Tenant, name: str, parts: tuple, compute: Callable[[], T]) -> T:
    """``compute()``, or the value it gave for the same ``name``, ``parts`` and revision of
    ``tenant``'s data. ``parts`` (hashable) must hold everything else the value depends on;
    the value must be immutable."""
    # The vendor sees every reseller: any change anywhere would be a new key. Inside a
    # transaction the data read may be this transaction's own, not yet committed.
    if tenant.reseller is None or connection.in_atomic_block:
        return compute()
    revision = tenant.revisions if tenant.revisions is not None else reseller_revision(tenant.reseller.pk)
    key = (name, tenant.reseller.pk, revision, parts)
    with _lock:
        value = _values.get(key, _values)
        if value is not _values:
            _values.move_to_end(key)
            return value
    value = compute()
    with _lock:
        _values[key] = value
        while len(_values) > MAX_VALUES:
            _values.popitem(last=False)
    return value


def clear() -> None:
    """Forget every value (tests: a flushed database starts its ids and numbers again)."""
    with _lock:
        _values.clear()
