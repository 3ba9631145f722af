"""Who is acting, and for which tenant.

Every service takes an :class:`Actor`; every selector takes a :class:`Tenant`.
A tenant is exactly one of: a reseller, a customer (the portal) or the vendor.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from partnerdesk.core.errors import forbidden

if TYPE_CHECKING:
    from partnerdesk.accounts.models import ApiKey, Reseller, User
    from partnerdesk.customers.models import Customer

# What each reseller role may do. Owners and admins change anything; billing sees and
# pays invoices; viewers only look.
ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    "owner": frozenset({"manage", "billing", "team"}),
    "admin": frozenset({"manage", "billing"}),
    "billing": frozenset({"billing"}),
    "viewer": frozenset(),
}


# A tenant's revision numbers (revisions/selectors.py): (scope, number) pairs, by scope.
Revisions = tuple[tuple[str, int], ...]


@dataclass(frozen=True)
class Tenant:
    reseller: Reseller | None = None
    customer: Customer | None = None
    vendor: bool = False
    # The numbers of this tenant's data as read with the request's first statement (the API
    # key's or the session's), for the views cache; None: not read, the cache reads them.
    revisions: Revisions | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        if sum([self.reseller is not None, self.customer is not None, self.vendor]) != 1:
            raise ValueError("a tenant is exactly one of reseller, customer or vendor")

    @classmethod
    def for_reseller(cls, reseller: Reseller, revisions: Revisions | None = None) -> Tenant:
        return cls(reseller=reseller, revisions=revisions)

    @classmethod
    def for_customer(cls, customer: Customer) -> Tenant:
        return cls(customer=customer)

    @classmethod
    def for_vendor(cls) -> Tenant:
        return cls(vendor=True)


@dataclass(frozen=True)
class Actor:
    """The person or key doing something, and the tenant they act for.

    ``role`` is the reseller membership role (None for vendor staff, customer admins
    and the system). ``label`` is what the audit log shows.
    """

    tenant: Tenant
    user: User | None = None
    api_key: ApiKey | None = None
    role: str | None = None
    label: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def system(cls) -> Actor:
        return cls(tenant=Tenant.for_vendor(), label="system")

    @classmethod
    def reseller_user(cls, user: User, reseller: Reseller, role: str, revisions: Revisions | None = None) -> Actor:
        return cls(tenant=Tenant.for_reseller(reseller, revisions), user=user, role=role, label=user.email)

    @classmethod
    def vendor_user(cls, user: User) -> Actor:
        return cls(tenant=Tenant.for_vendor(), user=user, label=user.email)

    @classmethod
    def customer_user(cls, user: User, customer: Customer) -> Actor:
        return cls(tenant=Tenant.for_customer(customer), user=user, label=user.email)

    @property
    def reseller(self) -> Reseller | None:
        return self.tenant.reseller

    def require(self, permission: str) -> None:
        """Refuse unless this actor may ``permission`` (manage, billing, team).

        Vendor actors may do anything; customer actors are checked by the service
        itself, since what a customer may do depends on the subscription.
        """
        if self.tenant.vendor or self.tenant.customer is not None:
            return
        if self.role is None or permission not in ROLE_PERMISSIONS.get(self.role, frozenset()):
            raise forbidden(f"Your role ({self.role or 'none'}) may not do this.")

    @property
    def audit_label(self) -> str:
        if self.label:
            return self.label
        if self.api_key is not None:
            return f"api key {self.api_key.prefix}"
        return "system"
