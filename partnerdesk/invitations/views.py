"""The page an invitation link opens: set a name and password (or sign in), accept, be signed in."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from partnerdesk.accounts.models import User
from partnerdesk.core import clock
from partnerdesk.core.errors import DomainError
from partnerdesk.invitations import services
from partnerdesk.invitations.models import Invitation

_STATUS_FOR = {"not_found": 404, "conflict": 410, "permission_denied": 403}


def _what(invitation: Invitation) -> str:
    if invitation.kind == Invitation.Kind.TEAM_MEMBER:
        return _("join the team of %(reseller)s") % {"reseller": invitation.reseller.name}
    if invitation.kind == Invitation.Kind.CUSTOMER_ADMIN:
        return _("administer %(customer)s") % {"customer": invitation.customer.company_name}
    return _("activate your %(product)s license") % {"product": invitation.subscription.plan.product.name}


@never_cache
@sensitive_post_parameters("password", "password2")
def accept(request: HttpRequest, token: str) -> HttpResponse:
    try:
        invitation = services.invitation_for_token(token)
        if invitation.status != Invitation.Status.PENDING or clock.now() >= invitation.expires_at:
            services.require_open(invitation, clock.now())
    except DomainError as error:
        return render(request, "invitations/invalid.html", {"error": error}, status=_STATUS_FOR.get(error.code, 400))

    signed_in = request.user if request.user.is_authenticated else None
    account = User.objects.filter(email__iexact=invitation.email).first()
    context = {
        "invitation": invitation,
        "what": _what(invitation),
        "signed_in": signed_in,
        "needs_sign_in": signed_in is None and account is not None and account.has_usable_password(),
        "login_url": f"{reverse('account_login')}?{urlencode({'next': request.path})}",
        "name": account.name if account is not None else invitation.name,
    }
    if signed_in is not None and signed_in.email.lower() != invitation.email:
        context["error"] = _("This invitation was sent to %(email)s; you are signed in as %(me)s.") % {
            "email": invitation.email,
            "me": signed_in.email,
        }
        return render(request, "invitations/accept.html", context, status=403)
    if request.method != "POST":
        return render(request, "invitations/accept.html", context)

    if request.POST.get("password", "") != request.POST.get("password2", request.POST.get("password", "")):
        context["error"] = _("The two passwords differ.")
        context["name"] = request.POST.get("name", "")
        return render(request, "invitations/accept.html", context, status=400)
    try:
        invitation, user = services.invitation_accept(
            token=token,
            user=signed_in,
            name=request.POST.get("name", ""),
            password=request.POST.get("password", ""),
        )
    except DomainError as error:
        context["error"] = error.message
        context["name"] = request.POST.get("name", "")
        return render(request, "invitations/accept.html", context, status=_STATUS_FOR.get(error.code, 400))
    if signed_in is None:
        # login() gives the session a new key: nothing from before the sign-in carries over.
        login(request, user, backend="partnerdesk.accounts.backends.ModelBackend")
    messages.success(request, _("Welcome! You can now %(what)s.") % {"what": _what(invitation)})
    return redirect(reverse("invitations:welcome"))


def welcome(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect(reverse("account_login"))
    from partnerdesk.accounts.selectors import memberships_of
    from partnerdesk.customers.selectors import customers_administered_by

    return render(
        request,
        "invitations/welcome.html",
        {
            "reseller_memberships": memberships_of(request.user),
            "customers": list(customers_administered_by(request.user)),
            "licenses": list(request.user.licenses.select_related("subscription__plan__product")),
        },
    )
