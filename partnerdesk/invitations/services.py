"""Writes for invitations: issue, resend, cancel, accept, decline, expire.

Each invitation kind has its own issuing service (team member, customer admin, member
license, relationship requests); resend, cancel and accept are shared. Acceptance locks
the invitation row first and then the row it changes, always in that order (a license
invitation takes its subscription's lock before both, as the seat services do).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from partnerdesk.accounts.models import Reseller, ResellerMembership, User
from partnerdesk.audit.services import audit_record
from partnerdesk.core import clock
from partnerdesk.core.actors import Actor
from partnerdesk.core.errors import DomainError, conflict, forbidden, invalid, not_found
from partnerdesk.core.validation import normalize_email
from partnerdesk.customers.models import Customer, CustomerMembership
from partnerdesk.invitations import tokens
from partnerdesk.invitations.models import Invitation
from partnerdesk.notifications.services import email_enqueue
from partnerdesk.subscriptions.models import Member, Subscription, SubscriptionAdmin
from partnerdesk.webhooks.events import customer_data, record_event

Kind = Invitation.Kind
Status = Invitation.Status
# A relationship request may be sent again at most once an hour (seed 003: "resend").
REQUEST_RESEND_INTERVAL = timedelta(hours=1)
_ROLES = {"owner", "admin", "billing", "viewer"}


def _lifetime() -> timedelta:
    return timedelta(days=settings.INVITATION_DAYS)


def _snapshot(invitation: Invitation) -> dict:
    return {
        "kind": invitation.kind,
        "email": invitation.email,
        "status": invitation.status,
        "role": invitation.role or None,
        "expires_at": invitation.expires_at,
    }


def _send(invitation: Invitation, token: str | None) -> None:
    """Queue the e-mail of this invitation (after commit). The token goes only in here."""
    template = {
        Kind.TEAM_MEMBER: "invitation_team_member",
        Kind.CUSTOMER_ADMIN: "invitation_customer_admin",
        Kind.MEMBER_LICENSE: "invitation_member_license",
        Kind.RELATIONSHIP_REQUEST: "relationship_request",
    }[invitation.kind]
    subscription = invitation.subscription
    context = {
        "invitation": invitation,
        "name": invitation.name,
        "link": tokens.accept_url(token) if token else f"{settings.BASE_URL}/",
        "expires_at": invitation.expires_at,
        "reseller": invitation.reseller,
        "customer": invitation.customer,
        "requesting_reseller": invitation.requesting_reseller,
        "product": subscription.plan.product.name if subscription is not None else "",
        "inviter": (invitation.invited_by.name or invitation.invited_by.email) if invitation.invited_by else "",
    }
    email_enqueue(
        to=invitation.email, template=template, context=context, language=invitation.language, sensitive=bool(token)
    )


def _issue(
    *,
    actor: Actor,
    kind: str,
    scope: str,
    email: str,
    now: datetime,
    name: str = "",
    language: str = "en",
    with_token: bool = True,
    **targets,
) -> Invitation:
    """Create a pending invitation and queue its e-mail; inside the caller's transaction.

    A second pending invitation for the same scope is refused by the database."""
    token, token_hash = tokens.new_token() if with_token else (None, None)
    try:
        with transaction.atomic():
            invitation = Invitation.objects.create(
                kind=kind,
                scope=scope,
                email=email,
                name=name[:200],
                language=language if language in {"en", "de", "nl"} else "en",
                token_hash=token_hash,
                invited_by=actor.user,
                created_at=now,
                sent_at=now,
                expires_at=now + _lifetime(),
                **targets,
            )
    except IntegrityError:
        raise conflict(f"An invitation for {email} is already pending; resend or cancel it.", "email") from None
    audit_record(
        actor=actor,
        action="invitation.create",
        obj=invitation,
        reseller=invitation.reseller or invitation.requesting_reseller,
        acting_on=invitation.customer,
        after=_snapshot(invitation),
        now=now,
    )
    _send(invitation, token)
    return invitation


# Issuing, one service per kind -----------------------------------------------------------


def team_invite(*, actor: Actor, email: str, role: str, name: str = "", now: datetime | None = None) -> Invitation:
    """Invite a colleague into the actor's reseller team with ``role`` (owners only)."""
    actor.require("team")
    reseller = actor.reseller
    if reseller is None:
        raise forbidden("Only a reseller's owner can invite team members.")
    email = normalize_email(email, "email")
    if role not in _ROLES:
        raise invalid("role must be owner, admin, billing or viewer.", "role")
    now = clock.resolve(now)
    with transaction.atomic():
        if ResellerMembership.objects.filter(reseller=reseller, user__email__iexact=email).exists():
            raise conflict(f"{email} is already in your team.", "email")
        return _issue(
            actor=actor,
            kind=Kind.TEAM_MEMBER,
            scope=f"team:{reseller.pk}:{email}",
            email=email,
            name=name,
            role=role,
            language=reseller.language,
            reseller=reseller,
            now=now,
        )


def reseller_owner_invite(*, actor: Actor, reseller: Reseller, user: User, now: datetime | None = None) -> Invitation:
    """E-mail a new reseller's first owner a link to set their password (``partnerdesk
    reseller create``). Their membership exists already; accepting gives the account its
    password and verifies the address."""
    now = clock.resolve(now)
    with transaction.atomic():
        return _issue(
            actor=actor,
            kind=Kind.TEAM_MEMBER,
            scope=f"team:{reseller.pk}:{user.email}",
            email=user.email,
            name=user.name,
            role=ResellerMembership.Role.OWNER,
            language=reseller.language,
            reseller=reseller,
            now=now,
        )


def customer_admin_invite(
    *,
    actor: Actor,
    customer: Customer,
    email: str,
    name: str = "",
    subscription: Subscription | None = None,
    now: datetime | None = None,
) -> Invitation:
    """Invite ``email`` to administer ``customer`` (seed 002: "send invitation").

    Called by customer_create(invite=True) and subscription_create inside their
    transactions; the e-mail leaves after their commit."""
    tenant = actor.tenant
    if tenant.reseller is not None and customer.reseller_id != tenant.reseller.pk:
        raise not_found("customer", "customer")
    if tenant.customer is not None and customer.pk != tenant.customer.pk:
        raise not_found("customer", "customer")
    actor.require("manage")
    email = normalize_email(email, "email")
    now = clock.resolve(now)
    with transaction.atomic():
        if CustomerMembership.objects.filter(customer=customer, user__email__iexact=email).exists():
            raise conflict(f"{email} is already an admin of {customer.company_name}.", "email")
        return _issue(
            actor=actor,
            kind=Kind.CUSTOMER_ADMIN,
            scope=f"customer_admin:{customer.pk}:{email}",
            email=email,
            name=name,
            language=customer.language,
            reseller=customer.reseller,
            customer=customer,
            subscription=subscription,
            now=now,
        )


def member_invite(*, actor: Actor, member: Member, now: datetime | None = None) -> Invitation:
    """Send a member the invitation to activate their license (seed 004). Called by
    member_add inside its transaction."""
    now = clock.resolve(now)
    subscription = member.subscription
    with transaction.atomic():
        return _issue(
            actor=actor,
            kind=Kind.MEMBER_LICENSE,
            scope=f"member:{member.pk}",
            email=member.email,
            language=subscription.customer.language,
            reseller=subscription.reseller,
            customer=subscription.customer,
            subscription=subscription,
            member=member,
            now=now,
        )


# Resend and cancel -----------------------------------------------------------------------


def _require_owner_of(actor: Actor, invitation: Invitation) -> None:
    """Who may resend or cancel: whoever sent it (their tenant), or vendor staff.

    Another tenant's invitation is "not found"."""
    tenant = actor.tenant
    if tenant.vendor:
        return
    if invitation.kind == Kind.RELATIONSHIP_REQUEST:
        sender_ok = (tenant.customer is not None and invitation.customer_id == tenant.customer.pk) or (
            tenant.reseller is not None and invitation.requesting_reseller_id == tenant.reseller.pk
        )
        if not sender_ok:
            raise not_found("invitation", "invitation")
        if tenant.reseller is not None:
            actor.require("manage")
        return
    if tenant.customer is not None:
        if invitation.customer_id != tenant.customer.pk or invitation.kind == Kind.TEAM_MEMBER:
            raise not_found("invitation", "invitation")
        return
    if invitation.reseller_id != tenant.reseller.pk:
        raise not_found("invitation", "invitation")
    actor.require("team" if invitation.kind == Kind.TEAM_MEMBER else "manage")


def invitation_resend(*, actor: Actor, invitation: Invitation, now: datetime | None = None) -> Invitation:
    """Send again with a new link and a fresh expiry; the previous link stops working.

    A relationship request may be resent at most once an hour."""
    _require_owner_of(actor, invitation)
    now = clock.resolve(now)
    with transaction.atomic():
        locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if locked.status not in (Status.PENDING, Status.EXPIRED):
            raise conflict(f"This invitation is {locked.status}; it cannot be resent.", "invitation")
        if locked.kind == Kind.RELATIONSHIP_REQUEST and now < locked.sent_at + REQUEST_RESEND_INTERVAL:
            raise DomainError("rate_limited", "A request can be resent once an hour.", "invitation")
        before = _snapshot(locked)
        token, token_hash = (None, None) if locked.token_hash is None else tokens.new_token()
        locked.token_hash = token_hash
        locked.status = Status.PENDING
        locked.sent_at = now
        locked.expires_at = now + _lifetime()
        try:
            with transaction.atomic():
                locked.save(update_fields=["token_hash", "status", "sent_at", "expires_at"])
        except IntegrityError:  # an expired one being revived while a newer one is pending
            raise conflict("Another invitation for this address is pending.", "invitation") from None
        audit_record(
            actor=actor,
            action="invitation.resend",
            obj=locked,
            reseller=locked.reseller or locked.requesting_reseller,
            acting_on=locked.customer,
            before=before,
            after=_snapshot(locked),
            now=now,
        )
        _send(locked, token)
    return locked


def invitation_cancel(*, actor: Actor, invitation: Invitation, now: datetime | None = None) -> Invitation:
    """Withdraw a pending invitation; its link stops working."""
    _require_owner_of(actor, invitation)
    now = clock.resolve(now)
    with transaction.atomic():
        locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if locked.status != Status.PENDING:
            raise conflict(f"This invitation is {locked.status}; only a pending one can be cancelled.", "invitation")
        before = _snapshot(locked)
        locked.status = Status.CANCELLED
        locked.responded_at = now
        locked.save(update_fields=["status", "responded_at"])
        audit_record(
            actor=actor,
            action="invitation.cancel",
            obj=locked,
            reseller=locked.reseller or locked.requesting_reseller,
            acting_on=locked.customer,
            before=before,
            after=_snapshot(locked),
            now=now,
        )
    return locked


# Accepting through the e-mailed link -----------------------------------------------------


def require_open(invitation: Invitation, now: datetime) -> None:
    if invitation.status == Status.ACCEPTED:
        raise conflict("This invitation has already been accepted.", "token")
    if invitation.status != Status.PENDING:
        raise conflict(f"This invitation was {invitation.status}.", "token")
    if now >= invitation.expires_at:
        raise conflict("This invitation has expired; ask for a new one.", "token")


def invitation_for_token(token: str) -> Invitation:
    """The invitation a link token belongs to (any status), or not_found."""
    if not token or len(token) > 100:
        raise not_found("invitation", "token")
    invitation = (
        Invitation.objects.select_related("reseller", "customer", "subscription__plan__product")
        .filter(token_hash=tokens.hash_token(token))
        .exclude(kind=Kind.RELATIONSHIP_REQUEST)
        .first()
    )
    if invitation is None:
        raise not_found("invitation", "token")
    return invitation


def _account_for(invitation: Invitation, *, user: User | None, name: str, password: str, now: datetime) -> User:
    """The account accepting: the signed-in user (same e-mail only), or the invited
    address's account, created or given its first password here."""
    if user is not None:
        if user.email.lower() != invitation.email:
            raise forbidden(f"This invitation was sent to another e-mail address; you are signed in as {user.email}.")
        return user
    existing = User.objects.select_for_update().filter(email__iexact=invitation.email).first()
    if existing is not None and existing.has_usable_password():
        raise conflict("An account with this e-mail address exists: sign in first, then accept.", "password")
    name = (name or "").strip()[:200]
    if not name:
        raise invalid("Please enter your name.", "name")
    account = existing or User(email=invitation.email, language=invitation.language, date_joined=now)
    account.name = name
    try:
        password_validation.validate_password(password or "", account)
    except ValidationError as error:
        raise invalid(" ".join(error.messages), "password") from None
    account.set_password(password)
    account.save()
    return account


def _mark_email_verified(user: User, email: str) -> None:
    """The link reached the inbox, so the address is verified (allauth's record)."""
    from allauth.account.models import EmailAddress

    address = EmailAddress.objects.filter(user=user, email__iexact=email).first()
    if address is None:
        primary = not EmailAddress.objects.filter(user=user, primary=True).exists()
        EmailAddress.objects.create(user=user, email=email, verified=True, primary=primary)
    elif not address.verified:
        EmailAddress.objects.filter(pk=address.pk).update(verified=True)


def invitation_accept(
    *, token: str, user: User | None = None, name: str = "", password: str = "", now: datetime | None = None
) -> tuple[Invitation, User]:
    """Accept by link: single use, before expiry, only for the invited e-mail address.

    ``user`` is the signed-in user, if any. Without one, the invited address gets its
    account here (``name`` and ``password``; the e-mail is the username). Anything
    refused changes nothing.
    """
    now = clock.resolve(now)
    found = invitation_for_token(token)
    with transaction.atomic():
        if found.subscription_id is not None and found.kind == Kind.MEMBER_LICENSE:
            # member_remove locks the subscription, then deletes the member and (cascade)
            # this invitation: take the locks in that same order, so the two never deadlock.
            Subscription.objects.select_for_update().filter(pk=found.subscription_id).first()
        invitation = Invitation.objects.select_for_update().filter(pk=found.pk).first()
        if invitation is None:  # the license was removed meanwhile
            raise not_found("invitation", "token")
        if invitation.token_hash != tokens.hash_token(token):  # resent meanwhile
            raise not_found("invitation", "token")
        require_open(invitation, now)
        account = _account_for(invitation, user=user, name=name, password=password, now=now)
        before = _snapshot(invitation)
        if invitation.kind == Kind.TEAM_MEMBER:
            acting = _accept_team(invitation, account, now)
        elif invitation.kind == Kind.CUSTOMER_ADMIN:
            acting = _accept_customer_admin(invitation, account, now)
        else:
            acting = _accept_member(invitation, account, now)
        _mark_email_verified(account, invitation.email)
        invitation.status = Status.ACCEPTED
        invitation.accepted_by = account
        invitation.responded_at = now
        invitation.save(update_fields=["status", "accepted_by", "responded_at"])
        audit_record(
            actor=acting,
            action="invitation.accept",
            obj=invitation,
            reseller=invitation.reseller,
            acting_on=invitation.customer,
            before=before,
            after=_snapshot(invitation),
            now=now,
        )
    return invitation, account


def _accept_team(invitation: Invitation, account: User, now: datetime) -> Actor:
    """Join the team. A new reseller's owner is a member already (reseller_create made
    the membership; the invitation only sets the password), so an existing membership
    is kept as it is."""
    reseller = Reseller.objects.select_for_update().get(pk=invitation.reseller_id)
    membership, _ = ResellerMembership.objects.get_or_create(
        user=account, reseller=reseller, defaults={"role": invitation.role, "created_at": now}
    )
    return Actor.reseller_user(account, reseller, membership.role)


def _accept_customer_admin(invitation: Invitation, account: User, now: datetime) -> Actor:
    customer = Customer.objects.select_for_update().get(pk=invitation.customer_id)
    CustomerMembership.objects.get_or_create(user=account, customer=customer, defaults={"created_at": now})
    if customer.status == Customer.Status.INVITED:
        customer.status = Customer.Status.ACTIVE
        customer.updated_at = now
        customer.save(update_fields=["status", "updated_at"])
    record_event(
        type="customer.invitation_accepted",
        reseller=customer.reseller,
        customer=customer,
        data={**customer_data(customer), "accepted_by": account.email, "accepted_at": now},
        now=now,
    )
    SubscriptionAdmin.objects.filter(
        subscription__customer=customer, email__iexact=account.email, user__isnull=True
    ).update(user=account)
    return Actor.customer_user(account, customer)


def _accept_member(invitation: Invitation, account: User, now: datetime) -> Actor:
    member = (
        Member.objects.select_for_update(of=("self",))
        .select_related("subscription__customer")
        .get(pk=invitation.member_id)
    )
    member.status = Member.Status.ACTIVE
    member.user = account
    member.activated_at = now
    member.save(update_fields=["status", "user", "activated_at"])
    return Actor.customer_user(account, member.subscription.customer)


# Expiry (a periodic job) -----------------------------------------------------------------


def invitations_expire(*, now: datetime | None = None) -> int:
    """Mark pending invitations past their expiry as expired. Idempotent."""
    now = clock.resolve(now)
    expired = 0
    with transaction.atomic():
        due = list(
            Invitation.objects.select_for_update(of=("self",))
            .filter(status=Status.PENDING, expires_at__lte=now)
            .order_by("pk")
            .select_related("reseller", "requesting_reseller", "customer")
        )
        for invitation in due:
            invitation.status = Status.EXPIRED
            invitation.save(update_fields=["status"])
            audit_record(
                actor=Actor.system(),
                action="invitation.expire",
                obj=invitation,
                reseller=invitation.reseller or invitation.requesting_reseller,
                acting_on=invitation.customer,
                before={"status": Status.PENDING},
                after={"status": Status.EXPIRED},
                now=now,
            )
            expired += 1
    return expired


# Relationship requests (seed 003) --------------------------------------------------------


def _contact_of(reseller: Reseller) -> str:
    if reseller.contact_email:
        return reseller.contact_email
    owner = reseller.memberships.filter(role="owner").select_related("user").order_by("id").first()
    if owner is None:
        raise conflict(f"{reseller.name} has no contact address yet.", "reseller")
    return owner.user.email


def _live_subscriptions_elsewhere(customer: Customer, reseller: Reseller) -> bool:
    return (
        Subscription.objects.filter(customer=customer, archived=False)
        .exclude(reseller=reseller)
        .exclude(status__in=["cancelled", "expired"])
        .exists()
    )


def relationship_request_create(*, actor: Actor, reseller: Reseller, now: datetime | None = None) -> Invitation:
    """A customer admin asks ``reseller`` to manage their company (seed 003: "invite a
    reseller"). The reseller is e-mailed and answers in partnerdesk.

    Refused while another reseller still runs live subscriptions for the company: those
    would be left without their manager.
    """
    customer = actor.tenant.customer
    if customer is None:
        raise forbidden("Only a customer's admin can ask a reseller to manage the company.")
    if reseller.status != Reseller.Status.ACTIVE:
        raise not_found("reseller", "reseller")
    if customer.reseller_id == reseller.pk:
        raise conflict(f"{reseller.name} already manages {customer.company_name}.", "reseller")
    if _live_subscriptions_elsewhere(customer, reseller):
        raise conflict("Your current reseller still manages live subscriptions; cancel them first.", "reseller")
    now = clock.resolve(now)
    with transaction.atomic():
        return _issue(
            actor=actor,
            kind=Kind.RELATIONSHIP_REQUEST,
            scope=f"relationship:customer:{customer.pk}:{reseller.pk}",
            email=_contact_of(reseller),
            language=reseller.language,
            reseller=reseller,
            customer=customer,
            with_token=False,
            now=now,
        )


def sub_reseller_request_create(*, actor: Actor, distributor: Reseller, now: datetime | None = None) -> Invitation:
    """A reseller asks to become a sub-reseller of ``distributor`` (seed 003: "become a
    reseller of this dealer"). Two tiers at most: neither side may already be in the
    other role."""
    actor.require("team")
    own = actor.reseller
    if own is None:
        raise forbidden("Only a reseller can ask to join a distributor.")
    if distributor.pk == own.pk or distributor.status != Reseller.Status.ACTIVE:
        raise not_found("reseller", "reseller")
    if own.parent_id is not None:
        raise conflict("You already belong to a distributor.", "reseller")
    if own.sub_resellers.exists():
        raise conflict("A distributor cannot become a sub-reseller (two tiers at most).", "reseller")
    if distributor.parent_id is not None:
        raise conflict(f"{distributor.name} is a sub-reseller itself and cannot take sub-resellers.", "reseller")
    now = clock.resolve(now)
    with transaction.atomic():
        return _issue(
            actor=actor,
            kind=Kind.RELATIONSHIP_REQUEST,
            scope=f"relationship:reseller:{own.pk}:{distributor.pk}",
            email=_contact_of(distributor),
            language=distributor.language,
            reseller=distributor,
            requesting_reseller=own,
            with_token=False,
            now=now,
        )


def relationship_request_respond(
    *, actor: Actor, invitation: Invitation, accept: bool, now: datetime | None = None
) -> Invitation:
    """The asked reseller accepts or declines. Accepting a company's request makes this
    reseller its manager (other pending requests of the company are cancelled); accepting
    a reseller's request makes it a sub-reseller, whose customers this distributor then
    sees read-only."""
    actor.require("manage")
    if (
        actor.reseller is None
        or invitation.kind != Kind.RELATIONSHIP_REQUEST
        or invitation.reseller_id != actor.reseller.pk
    ):
        raise not_found("relationship request", "request")
    now = clock.resolve(now)
    with transaction.atomic():
        locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if locked.status != Status.PENDING:
            raise conflict(f"This request is {locked.status}.", "request")
        if now >= locked.expires_at:
            raise conflict("This request has expired.", "request")
        before = _snapshot(locked)
        changes: dict = {}
        if accept and locked.customer_id is not None:
            changes = _accept_customer_request(locked, actor.reseller, now)
        elif accept:
            changes = _accept_sub_reseller_request(locked, actor.reseller)
        locked.status = Status.ACCEPTED if accept else Status.DECLINED
        locked.responded_at = now
        locked.accepted_by = actor.user if accept else None
        locked.save(update_fields=["status", "responded_at", "accepted_by"])
        audit_record(
            actor=actor,
            action="relationship_request.accept" if accept else "relationship_request.decline",
            obj=locked,
            acting_on=locked.customer,
            before=before,
            after=_snapshot(locked) | changes,
            now=now,
        )
    return locked


def _accept_customer_request(invitation: Invitation, reseller: Reseller, now: datetime) -> dict:
    customer = Customer.objects.select_for_update().get(pk=invitation.customer_id)
    if _live_subscriptions_elsewhere(customer, reseller):
        raise conflict("Another reseller still manages live subscriptions of this company.", "request")
    previous = customer.reseller.public_id if customer.reseller_id else None
    customer.reseller = reseller
    customer.updated_at = now
    customer.save(update_fields=["reseller", "updated_at"])
    Invitation.objects.filter(kind=Kind.RELATIONSHIP_REQUEST, customer=customer, status=Status.PENDING).exclude(
        pk=invitation.pk
    ).update(status=Status.CANCELLED, responded_at=now)
    return {"customer_reseller_before": previous, "customer_reseller": reseller.public_id}


def _accept_sub_reseller_request(invitation: Invitation, distributor: Reseller) -> dict:
    # Lock both resellers in id order: the two-tier checks read both.
    rows = {
        r.pk: r
        for r in Reseller.objects.select_for_update()
        .filter(pk__in=[invitation.requesting_reseller_id, distributor.pk])
        .order_by("pk")
    }
    child, parent = rows[invitation.requesting_reseller_id], rows[distributor.pk]
    if child.parent_id is not None or parent.parent_id is not None or child.sub_resellers.exists():
        raise conflict("This would make more than two tiers of resellers.", "request")
    child.parent = parent
    child.save(update_fields=["parent"])
    return {"sub_reseller": child.public_id}


# The customer's invitation (API.md /customers/{id}/invitation/resend and /cancel) ---------


def _customer_invitation(actor: Actor, customer: Customer) -> Invitation:
    tenant = actor.tenant
    if tenant.reseller is not None and customer.reseller_id != tenant.reseller.pk:
        raise not_found("customer", "customer")
    if tenant.customer is not None and customer.pk != tenant.customer.pk:
        raise not_found("customer", "customer")
    invitation = (
        Invitation.objects.filter(kind=Kind.CUSTOMER_ADMIN, customer=customer)
        .select_related("reseller", "customer", "subscription__plan__product", "invited_by")
        .order_by("-created_at", "-id")
        .first()
    )
    if invitation is None:
        raise not_found("invitation", "customer")
    return invitation


def customer_invitation_resend(*, actor: Actor, customer: Customer, now: datetime | None = None) -> Invitation:
    """Resend the customer's latest admin invitation (a new link; the old one stops working)."""
    return invitation_resend(actor=actor, invitation=_customer_invitation(actor, customer), now=now)


def customer_invitation_cancel(*, actor: Actor, customer: Customer, now: datetime | None = None) -> Invitation:
    """Cancel the customer's pending admin invitation."""
    return invitation_cancel(actor=actor, invitation=_customer_invitation(actor, customer), now=now)
