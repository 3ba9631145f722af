"""Who is looking at the console, for which tenant, acting on which customer.

A signed-in user may belong to several resellers (the chosen one is kept in the
session, the first by default) or be a customer admin (the portal). Views get a
:class:`Console` from :func:`reseller_view` / :func:`customer_view` and build nothing
else: the ``Actor`` they pass to services comes from here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from partnerdesk.accounts.models import Reseller, ResellerMembership
from partnerdesk.accounts.selectors import active_memberships
from partnerdesk.core.actors import ROLE_PERMISSIONS, Actor, Tenant
from partnerdesk.core.errors import DomainError
from partnerdesk.customers.models import Customer
from partnerdesk.customers.selectors import customer_get, customers_administered_by
from partnerdesk.revisions.cache import usable_revisions

SESSION_RESELLER = "pd_reseller"
SESSION_CUSTOMER = "pd_customer"
SESSION_ACTING_ON = "pd_acting_on"


@dataclass
class Console:
    actor: Actor
    memberships: list[ResellerMembership] = field(default_factory=list)
    customers: list[Customer] = field(default_factory=list)
    acting_on: Customer | None = None

    @property
    def tenant(self) -> Tenant:
        return self.actor.tenant

    @property
    def reseller(self) -> Reseller | None:
        return self.actor.tenant.reseller

    @property
    def customer(self) -> Customer | None:
        return self.actor.tenant.customer

    @property
    def is_distributor(self) -> bool:
        return self.reseller is not None and self.reseller.sub_resellers.exists()

    @property
    def can_manage(self) -> bool:
        return self.can("manage")

    @property
    def can_team(self) -> bool:
        return self.can("team")

    def can(self, permission: str) -> bool:
        if self.reseller is None:
            return False
        return permission in ROLE_PERMISSIONS.get(self.actor.role or "", frozenset())


def _pick(items: list, key, chosen: str | None):
    for item in items:
        if key(item) == chosen:
            return item
    return items[0] if items else None


def reseller_console(request) -> Console | None:
    # Read with the session (accounts/sessions/db.py), unless the session came from elsewhere.
    signed_in = getattr(request.session, "signed_in", None)
    if signed_in is not None and signed_in.user is not None and signed_in.user.pk == request.user.pk:
        memberships, revisions = signed_in.memberships, usable_revisions(request, signed_in.revisions)
    else:
        memberships, revisions = active_memberships(request.user.pk), None
    membership = _pick(memberships, lambda m: m.reseller.public_id, request.session.get(SESSION_RESELLER))
    if membership is None:
        return None
    actor = Actor.reseller_user(request.user, membership.reseller, membership.role, revisions)
    console = Console(actor=actor, memberships=memberships)
    acting_on_id = request.session.get(SESSION_ACTING_ON)
    if acting_on_id:
        try:
            console.acting_on = customer_get(actor.tenant, acting_on_id)
        except DomainError:
            request.session.pop(SESSION_ACTING_ON, None)
    return console


def customer_console(request) -> Console | None:
    customers = list(customers_administered_by(request.user))
    customer = _pick(customers, lambda c: c.public_id, request.session.get(SESSION_CUSTOMER))
    if customer is None:
        return None
    return Console(actor=Actor.customer_user(request.user, customer), customers=customers)


def reseller_view(view):
    """Signed-in reseller team members only; others go to the portal or see why not."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        console = reseller_console(request)
        if console is None:
            if customer_console(request) is not None:
                return redirect("web:portal")
            return render(request, "web/no_access.html", status=403)
        request.console = console
        return view(request, console, *args, **kwargs)

    return wrapper


def customer_view(view):
    """Signed-in customer admins only (the portal)."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        console = customer_console(request)
        if console is None:
            if reseller_console(request) is not None:
                return redirect("web:dashboard")
            return render(request, "web/no_access.html", status=403)
        request.console = console
        return view(request, console, *args, **kwargs)

    return wrapper
