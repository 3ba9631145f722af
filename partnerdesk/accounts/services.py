"""Writes for vendor, resellers, reseller teams and API keys."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation

from django.db import models, transaction
from django.utils import timezone

from partnerdesk.accounts import apikeys
from partnerdesk.accounts.models import ApiKey, Reseller, ResellerMembership, Session, User
from partnerdesk.audit.services import audit_record, snapshot
from partnerdesk.core import clock
from partnerdesk.core.actors import Actor
from partnerdesk.core.errors import conflict, forbidden, invalid, not_found
from partnerdesk.core.validation import normalize_country, normalize_email, normalize_vat_id, require_text
from partnerdesk.invitations.services import reseller_owner_invite

RESELLER_FIELDS = ["name", "country", "vat_id", "discount_percent", "status", "parent_id", "contact_email"]


def _parse_discount(value: object) -> Decimal:
    try:
        discount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise invalid(f"'{value}' is not a percentage.", "discount") from None
    if not discount.is_finite() or not Decimal(0) <= discount <= Decimal(100):
        raise invalid("The discount must be between 0 and 100 percent.", "discount")
    if discount != discount.quantize(Decimal("0.01")):
        raise invalid("The discount allows at most two decimals.", "discount")
    return discount.quantize(Decimal("0.01"))


def user_get_or_create(*, email: str, name: str = "", language: str = "en") -> tuple[User, bool]:
    """The user with this e-mail, or a new one without a usable password (they set one
    through an invitation)."""
    email = normalize_email(email)
    user = User.objects.filter(email__iexact=email).first()
    if user is not None:
        return user, False
    return User.objects.create_user(email=email, name=name, language=language), True


def reseller_create(
    *,
    actor: Actor,
    name: str,
    country: str,
    admin_email: str,
    vat_id: str = "",
    discount: object = "0",
    parent_name: str | None = None,
    now: datetime | None = None,
) -> tuple[Reseller, ResellerMembership]:
    """Create an approved reseller with its first owner (vendor staff or the CLI).

    An owner without a password yet is e-mailed an invitation to set one (after commit).
    """

    if not actor.tenant.vendor:
        raise forbidden("Only vendor staff can create resellers.")
    name = require_text(name, "name")
    country = normalize_country(country)
    vat_id = normalize_vat_id(vat_id, country)
    admin_email = normalize_email(admin_email, "admin_email")
    discount_percent = _parse_discount(discount)
    now = clock.resolve(now)
    with transaction.atomic():
        parent = None
        if parent_name:
            parent = Reseller.objects.filter(name=parent_name).first()
            if parent is None:
                raise not_found(f"reseller named '{parent_name}'", "parent")
            if parent.parent_id is not None:
                raise invalid("A sub-reseller cannot have sub-resellers (two tiers at most).", "parent")
        if Reseller.objects.filter(name__iexact=name).exists():
            raise conflict(f"A reseller named '{name}' already exists.", "name")
        reseller = Reseller.objects.create(
            name=name,
            country=country,
            vat_id=vat_id,
            discount_percent=discount_percent,
            parent=parent,
            contact_email=admin_email,
            status=Reseller.Status.ACTIVE,
            created_at=now,
        )
        user, _ = user_get_or_create(email=admin_email)
        membership = ResellerMembership.objects.create(
            user=user, reseller=reseller, role=ResellerMembership.Role.OWNER, created_at=now
        )
        audit_record(
            actor=actor,
            action="reseller.create",
            obj=reseller,
            reseller=reseller,
            after=snapshot(reseller, RESELLER_FIELDS) | {"owner": admin_email},
            now=now,
        )
        if not user.has_usable_password():
            reseller_owner_invite(actor=actor, reseller=reseller, user=user, now=now)
    return reseller, membership


def reseller_update(*, actor: Actor, reseller: Reseller, data: dict, now: datetime | None = None) -> Reseller:
    """Vendor staff change a reseller's discount or status (approve, suspend)."""
    if not actor.tenant.vendor:
        raise forbidden("Only vendor staff can change resellers.")
    now = clock.resolve(now)
    with transaction.atomic():
        locked = Reseller.objects.select_for_update().get(pk=reseller.pk)
        before = snapshot(locked, RESELLER_FIELDS)
        if "discount_percent" in data:
            locked.discount_percent = _parse_discount(data["discount_percent"])
        if "status" in data:
            if data["status"] not in Reseller.Status.values:
                raise invalid("status must be pending, active or suspended.", "status")
            locked.status = data["status"]
        locked.save()
        after = snapshot(locked, RESELLER_FIELDS)
        if after != before:
            audit_record(
                actor=actor, action="reseller.update", obj=locked, reseller=locked, before=before, after=after, now=now
            )
    return locked


@dataclass(frozen=True)
class CreatedApiKey:
    api_key: ApiKey
    secret: str  # shown once, never stored


def apikey_create(
    *,
    actor: Actor,
    reseller: Reseller | None = None,
    vendor: bool = False,
    name: str = "",
    now: datetime | None = None,
) -> CreatedApiKey:
    """A new API key for one reseller or for the vendor. The key itself is returned once."""
    if vendor == (reseller is not None):
        raise invalid("An API key belongs to exactly one reseller or to the vendor.", "scope")
    if vendor and not actor.tenant.vendor:
        raise forbidden("Only vendor staff can create vendor keys.")
    if reseller is not None and not actor.tenant.vendor:
        if actor.reseller is None or actor.reseller.pk != reseller.pk:
            raise not_found("reseller", "reseller")
        actor.require("team")
    now = clock.resolve(now)
    secret = apikeys.generate_key()
    with transaction.atomic():
        api_key = ApiKey.objects.create(
            name=name[:100],
            prefix=apikeys.visible_prefix(secret),
            key_hash=apikeys.hash_key(secret),
            reseller=reseller,
            is_vendor=vendor,
            created_at=now,
        )
        audit_record(
            actor=actor,
            action="apikey.create",
            obj=api_key,
            reseller=reseller,
            after={"prefix": api_key.prefix, "scope": "vendor" if vendor else reseller.public_id},
            now=now,
        )
    return CreatedApiKey(api_key=api_key, secret=secret)


def apikey_revoke(*, actor: Actor, api_key: ApiKey, now: datetime | None = None) -> ApiKey:
    if not actor.tenant.vendor:
        if api_key.reseller_id is None or actor.reseller is None or api_key.reseller_id != actor.reseller.pk:
            raise not_found("API key", "api_key")
        actor.require("team")
    now = clock.resolve(now)
    with transaction.atomic():
        if api_key.revoked_at is None:
            ApiKey.objects.filter(pk=api_key.pk, revoked_at__isnull=True).update(revoked_at=now)
            api_key.revoked_at = now
            audit_record(
                actor=actor,
                action="apikey.revoke",
                obj=api_key,
                reseller=api_key.reseller,
                after={"prefix": api_key.prefix, "revoked_at": now},
                now=now,
            )
    return api_key


# Reseller team --------------------------------------------------------------------------
# Inviting a colleague is invitations.services.team_invite; accepting it makes the membership.


def _team_membership(actor: Actor, membership: ResellerMembership) -> ResellerMembership:
    """Lock the membership (and its reseller's owners' rows, in id order) for a change."""
    actor.require("team")
    if actor.reseller is None or membership.reseller_id != actor.reseller.pk:
        raise not_found("team member", "member")
    locked = list(
        ResellerMembership.objects.select_for_update()
        .filter(reseller_id=membership.reseller_id)
        .filter(models.Q(pk=membership.pk) | models.Q(role=ResellerMembership.Role.OWNER))
        .order_by("pk")
    )
    target = next((row for row in locked if row.pk == membership.pk), None)
    if target is None:
        raise not_found("team member", "member")
    return target


def _refuse_losing_the_last_owner(membership: ResellerMembership) -> None:
    owners = ResellerMembership.objects.filter(reseller_id=membership.reseller_id, role=ResellerMembership.Role.OWNER)
    if membership.role == ResellerMembership.Role.OWNER and owners.count() == 1:
        raise conflict("A team keeps at least one owner; make someone else owner first.", "role")


def team_member_change_role(
    *, actor: Actor, membership: ResellerMembership, role: str, now: datetime | None = None
) -> ResellerMembership:
    """An owner gives a colleague another role (owner, admin, billing, viewer)."""
    if role not in ResellerMembership.Role.values:
        raise invalid("role must be owner, admin, billing or viewer.", "role")
    now = clock.resolve(now)
    with transaction.atomic():
        locked = _team_membership(actor, membership)
        if locked.role == role:
            return locked
        if role != ResellerMembership.Role.OWNER:
            _refuse_losing_the_last_owner(locked)
        before = {"user": locked.user.email, "role": locked.role}
        locked.role = role
        locked.save(update_fields=["role"])
        audit_record(
            actor=actor,
            action="team.change_role",
            obj=locked,
            reseller=locked.reseller,
            before=before,
            after={"user": locked.user.email, "role": role},
            now=now,
        )
    return locked


def team_member_remove(*, actor: Actor, membership: ResellerMembership, now: datetime | None = None) -> None:
    """An owner removes a colleague from the team (their user account stays)."""
    now = clock.resolve(now)
    with transaction.atomic():
        locked = _team_membership(actor, membership)
        _refuse_losing_the_last_owner(locked)
        before = {"user": locked.user.email, "role": locked.role}
        locked.delete()
        audit_record(
            actor=actor,
            action="team.remove",
            obj=membership,
            reseller=membership.reseller,
            before=before,
            now=now,
        )


RESELLER_BUSINESS_FIELDS = ["address", "contact_email", "vat_id", "language"]


def reseller_business_update(*, actor: Actor, data: dict, now: datetime | None = None) -> Reseller:
    """A reseller's owner keeps its own business information current (address, contact,
    VAT ID, language). Name, country and discount stay with vendor staff: the name is
    how companies find the reseller, and country and discount change what invoices say."""
    actor.require("team")
    if actor.reseller is None:
        raise forbidden("Only a reseller can change its business information.")
    unknown = set(data) - set(RESELLER_BUSINESS_FIELDS)
    if unknown:
        raise invalid(f"Unknown field {sorted(unknown)[0]}.", sorted(unknown)[0])
    now = clock.resolve(now)
    with transaction.atomic():
        locked = Reseller.objects.select_for_update().get(pk=actor.reseller.pk)
        clean = {
            "address": (data.get("address", locked.address) or "").strip()[:1000],
            "vat_id": normalize_vat_id(data.get("vat_id", locked.vat_id) or "", locked.country),
            "language": (data.get("language", locked.language) or "en").strip().lower(),
        }
        email = (data.get("contact_email", locked.contact_email) or "").strip()
        clean["contact_email"] = normalize_email(email, "contact_email") if email else ""
        if clean["language"] not in ("en", "de", "nl"):
            raise invalid("language must be one of en, de, nl.", "language")
        before = snapshot(locked, RESELLER_BUSINESS_FIELDS)
        changed = {name: value for name, value in clean.items() if before[name] != value}
        if changed:
            for name, value in changed.items():
                setattr(locked, name, value)
            locked.save(update_fields=list(changed))
            audit_record(
                actor=actor,
                action="reseller.update_business",
                obj=locked,
                reseller=locked,
                before={k: before[k] for k in changed},
                after=changed,
                now=now,
            )
    return locked


def sessions_clear_expired() -> int:
    """Delete the sessions past their expiry (they no longer sign anyone in); how many. By the
    real time, as sessions expire, not the sandbox clock."""
    deleted, _ = Session.objects.filter(expire_date__lt=timezone.now()).delete()
    return deleted
