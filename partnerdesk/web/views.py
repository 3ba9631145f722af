"""Console views: parse the form, call one service, render. Rules live in the services.

Every write is a POST behind CSRF that redirects afterwards (so reloading never repeats
it); a refused write re-renders its form with the service's message next to the field
(status 422; htmx is configured to swap that in too).
"""

from __future__ import annotations

from contextlib import suppress

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    JsonResponse,
    StreamingHttpResponse,
)
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from partnerdesk.accounts.services import (
    RESELLER_BUSINESS_FIELDS,
    apikey_create,
    apikey_revoke,
    reseller_business_update,
)
from partnerdesk.billing.csvio import export_invoices
from partnerdesk.billing.pdf import invoice_pdf
from partnerdesk.billing.selectors import invoice_get, invoice_list
from partnerdesk.core import clock
from partnerdesk.core.errors import DomainError
from partnerdesk.customers.csvio import export_customers
from partnerdesk.customers.selectors import customer_choices, customer_get, customer_list
from partnerdesk.customers.services import BUSINESS_FIELDS, customer_create, customer_update
from partnerdesk.invitations.services import (
    customer_invitation_cancel,
    customer_invitation_resend,
    invitation_cancel,
    invitation_resend,
    relationship_request_create,
    relationship_request_respond,
    team_invite,
)
from partnerdesk.subscriptions import services as subs
from partnerdesk.subscriptions.csvio import export_subscriptions
from partnerdesk.subscriptions.models import Status, Subscription
from partnerdesk.subscriptions.selectors import admin_get, admin_list, member_get, member_list, subscription_get
from partnerdesk.web import charts, forms, selectors
from partnerdesk.web.console import (
    SESSION_ACTING_ON,
    SESSION_CUSTOMER,
    SESSION_RESELLER,
    Console,
    customer_console,
    customer_view,
    reseller_console,
    reseller_view,
)
from partnerdesk.web.errors import localized
from partnerdesk.web.pages import cached_console_page
from partnerdesk.webhooks.models import ALL_TYPES, EVENT_TYPES
from partnerdesk.webhooks.selectors import webhook_endpoint_get, webhook_endpoint_list
from partnerdesk.webhooks.services import webhook_endpoint_create, webhook_endpoint_delete

PAGE_SIZE = 25
ACTING_ON_CHOICES = 20  # customers the acting-on search shows at once
NEW_SUBSCRIPTION_CUSTOMERS = 200  # customers listed in the new subscription form, at most
INVALID = 422


def health(request: HttpRequest) -> JsonResponse:
    """Liveness: the process answers. Cheap enough for a load generator's ceiling."""
    return JsonResponse({"status": "ok"})


def ready(request: HttpRequest) -> JsonResponse:
    """Readiness: the database answers and every migration is applied (503 otherwise)."""
    try:
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except DatabaseError as error:
        return JsonResponse({"status": "unavailable", "reason": f"database: {error}"}, status=503)
    if pending:
        return JsonResponse({"status": "unavailable", "reason": f"{len(pending)} migrations pending"}, status=503)
    return JsonResponse({"status": "ready"})


def home(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        if reseller_console(request) is not None:
            return redirect("web:dashboard")
        if customer_console(request) is not None:
            return redirect("web:portal")
    return render(request, "web/home.html")


# ---------------------------------------------------------------- reseller: context


@require_POST
@reseller_view
def switch_reseller(request: HttpRequest, console: Console) -> HttpResponse:
    chosen = request.POST.get("reseller", "")
    if any(m.reseller.public_id == chosen for m in console.memberships):
        request.session[SESSION_RESELLER] = chosen
        request.session.pop(SESSION_ACTING_ON, None)
    return redirect("web:dashboard")


@require_POST
@reseller_view
def acting_on(request: HttpRequest, console: Console) -> HttpResponse:
    """Seed 004's "acting on" selector: the customer every page is filtered to."""
    chosen = request.POST.get("customer", "")
    if not chosen:
        request.session.pop(SESSION_ACTING_ON, None)
    else:
        try:
            customer = customer_get(console.tenant, chosen)
        except DomainError:
            messages.error(request, _("That customer is not yours."))
        else:
            request.session[SESSION_ACTING_ON] = customer.public_id
    return redirect(_safe_next(request, reverse("web:dashboard")))


@require_GET
@reseller_view
def acting_on_search(request: HttpRequest, console: Console) -> HttpResponse:
    """The acting-on selector's search: the first customers by name matching what was typed.

    While typing, htmx asks for the list alone (it drops down under the field); without
    JavaScript the same form opens it as a page. Choosing posts to :func:`acting_on`."""
    query = request.GET.get("q", "").strip()
    found = customer_choices(console.tenant, search=query, limit=ACTING_ON_CHOICES + 1)
    context = {
        "customers": found[:ACTING_ON_CHOICES],
        "more": len(found) > ACTING_ON_CHOICES,
        "next": _safe_next(request, reverse("web:dashboard")),
    }
    # A boosted link or form (hx-boost on the body) wants the whole page, like a browser without htmx.
    partial = request.headers.get("HX-Request") == "true" and request.headers.get("HX-Boosted") != "true"
    if partial:
        response = render(request, "web/_acting_on_results.html", context)
    else:
        context |= {"acting_on_query": query, "acting_on_next": context["next"]}
        response = render(request, "web/acting_on.html", context)
    patch_vary_headers(response, ["HX-Request", "HX-Boosted"])
    return response


def _safe_next(request: HttpRequest, default: str) -> str:
    """A local page to go back to; anything pointing elsewhere falls back to ``default``."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


# ---------------------------------------------------------------- reseller: subscriptions


def _subscription_table(request: HttpRequest, console: Console, *, archived: bool) -> dict:
    params = request.GET
    qs = selectors.dashboard_subscriptions(
        console.tenant,
        search=params.get("q", ""),
        status=params.get("status") or None,
        product_code=params.get("product") or None,
        customer_id=console.acting_on.public_id if console.acting_on else None,
        sort=params.get("sort", "-created"),
        archived=archived,
        include_sub_resellers=console.is_distributor,
    )
    page = Paginator(qs, PAGE_SIZE).get_page(params.get("page"))
    return {
        "queryset": qs,
        "page": page,
        "products": selectors.products_for_sale(),
        "statuses": [(s.value, s.value) for s in Status],
        "filters": {k: params.get(k, "") for k in ("q", "status", "product", "sort")},
    }


@require_GET
@reseller_view
def dashboard(request: HttpRequest, console: Console) -> HttpResponse:
    now = clock.now()

    def context() -> dict:
        table = _subscription_table(request, console, archived=False)
        history = selectors.seats_and_revenue_history(table["queryset"], now=now)
        return {
            **table,
            "totals": selectors.dashboard_totals(table["queryset"]),
            "chart": charts.seats_and_revenue(history),
        }

    # The chart's last month runs up to now: a page is kept for the minute at most.
    return cached_console_page(request, console, "web/dashboard.html", context, now.replace(second=0, microsecond=0))


@require_GET
@reseller_view
def archived(request: HttpRequest, console: Console) -> HttpResponse:
    return render(request, "web/archived.html", _subscription_table(request, console, archived=True))


def _new_subscription_form(console: Console, data=None) -> forms.NewSubscriptionForm:
    """The form with every customer as a choice while there are few. Past
    NEW_SUBSCRIPTION_CUSTOMERS only the acting-on customer (and one already chosen) is
    listed: thousands of options made the page, and the live quote that builds the same
    form at every keystroke, take half a second; the acting-on search finds the others."""
    customers = customer_choices(console.tenant, limit=NEW_SUBSCRIPTION_CUSTOMERS + 1)
    cut = len(customers) > NEW_SUBSCRIPTION_CUSTOMERS
    if cut:
        customers = [console.acting_on] if console.acting_on is not None else []
        chosen = (data or {}).get("customer")
        if chosen and all(c.public_id != chosen for c in customers):
            with suppress(DomainError):  # not this reseller's: left out, so the form refuses it
                customers.append(customer_get(console.tenant, chosen))
    initial = {"country": console.reseller.country}
    if console.acting_on is not None:
        initial["customer"] = console.acting_on.public_id
    return forms.NewSubscriptionForm(
        data, customers=customers, products=selectors.products_for_sale(), initial=initial, customers_cut=cut
    )


NEW_SUBSCRIPTION_ALIASES = {
    "customer_admin.email": "contact_email",
    "customer_admin": "contact_email",
    "plan": "product",
}


def _new_subscription_quote(console: Console, form: forms.NewSubscriptionForm) -> dict:
    """The price shown before confirming (seed 004: discount applied automatically)."""
    data = form.cleaned_data
    if not data.get("product"):
        return {"quote": None, "quote_hint": True}
    try:
        plan = selectors.plan_for(data.get("product", ""), data.get("term", ""))
        quote = selectors.new_subscription_quote(
            reseller=console.reseller, plan=plan, seats=data.get("seats") or 1, now=clock.now()
        )
    except DomainError as error:
        return {"quote": None, "quote_error": localized(error)}
    return {"quote": quote, "trial_days": plan.trial_days}


@require_GET
@reseller_view
def subscription_new_quote(request: HttpRequest, console: Console) -> HttpResponse:
    """The live price next to the form (htmx), from what is typed so far."""
    form = _new_subscription_form(console, request.GET)
    form.is_valid()
    return render(request, "web/_quote.html", _new_subscription_quote(console, form))


@reseller_view
def subscription_new(request: HttpRequest, console: Console) -> HttpResponse:
    """Seed 000 "new customer subscription": fill in, see the price, confirm."""
    if request.method != "POST":
        return render(request, "web/subscription_new.html", {"form": _new_subscription_form(console)})
    form = _new_subscription_form(console, request.POST)
    if "edit" in request.POST:  # "Change" on the review page: back to the filled-in form
        return render(request, "web/subscription_new.html", {"form": form})
    if form.is_valid():
        data = form.cleaned_data
        if "confirm" not in request.POST:
            review = _new_subscription_quote(console, form)
            if review["quote"] is not None:
                return render(request, "web/subscription_review.html", {"form": form, **review})
        try:
            plan = selectors.plan_for(data["product"], data["term"])
            customer = customer_get(console.tenant, data["customer"]) if data["customer"] else None
            admin = None
            if data["customer_can_manage"] and data["contact_email"]:
                admin = subs.CustomerAdminInput(email=data["contact_email"], name=data["contact_name"])
            terms = {
                "actor": console.actor,
                "plan": plan,
                "seats": data["seats"],
                "customer_can_manage": data["customer_can_manage"],
                "customer_admin": admin,
                "payment_method": data["payment_method"],
            }
            if customer is not None:
                subscription = subs.subscription_create(customer=customer, **terms)
            else:  # a new customer too, in the same transaction; invited when it may manage
                subscription = subs.subscription_create_for_new_customer(
                    customer_data={
                        "company_name": data["company_name"],
                        "country": data["country"],
                        "vat_id": data["vat_id"],
                        "contact_name": data["contact_name"],
                        "contact_email": data["contact_email"],
                        "language": console.reseller.language,
                    },
                    invite=data["customer_can_manage"],
                    **terms,
                )
        except DomainError as error:
            forms.add_domain_error(form, error, NEW_SUBSCRIPTION_ALIASES)
        else:
            messages.success(
                request,
                _("The subscription for %(customer)s was created.") % {"customer": subscription.customer.company_name},
            )
            return redirect("web:subscription", subscription.public_id)
    return render(request, "web/subscription_new.html", {"form": form}, status=INVALID)


def _get_subscription(console: Console, public_id: str) -> Subscription:
    try:
        return subscription_get(console.tenant, public_id, include_sub_resellers=console.is_distributor)
    except DomainError:
        raise Http404 from None


def _subscription_page(request, console: Console, subscription: Subscription, status: int = 200, **forms_):
    own = console.reseller is None or subscription.reseller_id == console.reseller.pk
    can_manage = own and (console.can("manage") if console.reseller else subscription.customer_can_manage)
    can_purchase = console.customer is not None and selectors.customer_admin_can_purchase(
        subscription, console.actor.user
    )
    # A refused form that is not on the page for this person: say why at the top.
    hidden = [f for f in forms_.values() if hasattr(f, "errors")] if not can_manage else []
    if console.customer is not None and not can_purchase and "seats_form" in forms_:
        hidden.append(forms_["seats_form"])
    for form in hidden:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    context = {
        "subscription": subscription,
        "members": member_list(subscription),
        "admins": admin_list(subscription),
        "can_manage": can_manage,
        "is_reseller": console.reseller is not None,
        "member_form": forms_.get("member_form") or forms.MemberForm(),
        "admin_form": forms_.get("admin_form") or forms.AdminForm(),
        "cancel_form": forms_.get("cancel_form") or forms.CancelForm(),
        "seats_form": forms_.get("seats_form") or forms.SeatsForm(initial={"seats": subscription.seats}),
        "quote": forms_.get("quote"),
        "usable": subscription.status in ("trial", "active", "past_due"),
        "can_purchase": can_purchase,
    }
    template = "web/subscription.html" if console.reseller is not None else "web/portal_subscription.html"
    return render(request, template, context, status=status)


@require_GET
@reseller_view
def subscription_detail(request: HttpRequest, console: Console, public_id: str) -> HttpResponse:
    return _subscription_page(request, console, _get_subscription(console, public_id))


def _done(request: HttpRequest, subscription: Subscription, message: str, portal: bool = False) -> HttpResponse:
    messages.success(request, message)
    return redirect("web:portal_subscription" if portal else "web:subscription", subscription.public_id)


@require_POST
@reseller_view
def subscription_start(request: HttpRequest, console: Console, public_id: str) -> HttpResponse:
    """Seed 000 "Start": record it, then go to the product to configure the connection."""
    subscription = _get_subscription(console, public_id)
    try:
        subscription, url = subs.subscription_start(actor=console.actor, subscription=subscription)
    except DomainError as error:
        messages.error(request, localized(error))
        return redirect("web:subscription", subscription.public_id)
    if not url:
        return _done(request, subscription, _("The subscription was started."))
    return HttpResponseRedirect(url)


@require_POST
@reseller_view
def subscription_cancel(request: HttpRequest, console: Console, public_id: str) -> HttpResponse:
    subscription = _get_subscription(console, public_id)
    form = forms.CancelForm(request.POST)
    if form.is_valid():
        try:
            subscription = subs.subscription_cancel(
                actor=console.actor, subscription=subscription, reason=form.cleaned_data["reason"]
            )
        except DomainError as error:
            forms.add_domain_error(form, error, {"status": "reason"})
        else:
            if subscription.archived:
                message = _("The subscription was cancelled and moved to the archive.")
            else:
                message = _("The subscription was cancelled. It ends at the end of the paid period.")
            return _done(request, subscription, message)
    return _subscription_page(request, console, subscription, INVALID, cancel_form=form)


@require_POST
@reseller_view
def subscription_reactivate(request: HttpRequest, console: Console, public_id: str) -> HttpResponse:
    subscription = _get_subscription(console, public_id)
    try:
        subs.subscription_reactivate(actor=console.actor, subscription=subscription)
    except DomainError as error:
        messages.error(request, localized(error))
        return redirect("web:subscription", subscription.public_id)
    return _done(request, subscription, _("The subscription was reactivated."))


def _seats_wanted(request: HttpRequest, subscription: Subscription) -> forms.SeatsForm:
    """The licenses form; its - / + buttons step the typed number by one."""
    data = request.POST if request.method == "POST" else request.GET
    form = forms.SeatsForm(data)
    if form.is_valid():
        step = {"-1": -1, "+1": 1}.get(data.get("step", ""), 0)
        form = forms.SeatsForm({"seats": max(1, form.cleaned_data["seats"] + step)})
        form.is_valid()
    return form


def _seats_quote(request: HttpRequest, console: Console, subscription: Subscription) -> HttpResponse:
    form = _seats_wanted(request, subscription)
    quote = None
    if form.is_valid():
        try:
            quote = subs.subscription_seats_preview(
                actor=console.actor, subscription=subscription, seats=form.cleaned_data["seats"]
            )
        except DomainError as error:
            forms.add_domain_error(form, error, {"status": "seats"})
    return _subscription_page(request, console, subscription, seats_form=form, quote=quote)


def _seats_order(request: HttpRequest, console: Console, subscription: Subscription, portal: bool) -> HttpResponse:
    form = _seats_wanted(request, subscription)
    if form.is_valid():
        try:
            subscription, invoice = subs.subscription_change_seats(
                actor=console.actor, subscription=subscription, seats=form.cleaned_data["seats"]
            )
        except DomainError as error:
            forms.add_domain_error(form, error, {"status": "seats"})
        else:
            if subscription.pending_seats is not None and subscription.pending_seats == form.cleaned_data["seats"]:
                message = _("The change to %(seats)s licenses is scheduled for the renewal.")
            else:
                message = _("The subscription now has %(seats)s licenses.")
            message = message % {"seats": form.cleaned_data["seats"]}
            if invoice is not None:
                message += " " + _("Invoice %(number)s was issued.") % {"number": invoice.number}
            return _done(request, subscription, message, portal)
    return _subscription_page(request, console, subscription, INVALID, seats_form=form)


@require_GET
@reseller_view
def subscription_seats_quote(request: HttpRequest, console: Console, public_id: str) -> HttpResponse:
    """Seed 002's - / +: the prorated quote for the new number of licenses, before ordering."""
    return _seats_quote(request, console, _get_subscription(console, public_id))


@require_POST
@reseller_view
def subscription_seats(request: HttpRequest, console: Console, public_id: str) -> HttpResponse:
    """ "Order now": more licenses at once (invoiced pro rata), fewer from the renewal."""
    return _seats_order(request, console, _get_subscription(console, public_id), portal=False)


@require_POST
@reseller_view
def subscription_unreduce(request: HttpRequest, console: Console, public_id: str) -> HttpResponse:
    subscription = _get_subscription(console, public_id)
    try:
        subs.subscription_unschedule_seat_reduction(actor=console.actor, subscription=subscription)
    except DomainError as error:
        messages.error(request, localized(error))
        return redirect("web:subscription", subscription.public_id)
    return _done(request, subscription, _("The scheduled seat reduction was removed."))


def _member_add(request: HttpRequest, console: Console, subscription: Subscription, portal: bool) -> HttpResponse:
    form = forms.MemberForm(request.POST)
    if form.is_valid():
        try:
            member = subs.member_add(actor=console.actor, subscription=subscription, email=form.cleaned_data["email"])
        except DomainError as error:
            forms.add_domain_error(form, error, {"status": "email"})
        else:
            return _done(
                request, subscription, _("%(email)s was invited and holds a license.") % {"email": member.email}, portal
            )
    return _subscription_page(request, console, subscription, INVALID, member_form=form)


def _member_remove(request, console: Console, subscription: Subscription, member_id: str, portal: bool):
    try:
        member = member_get(subscription, member_id)
        subs.member_remove(actor=console.actor, subscription=subscription, member=member)
    except DomainError as error:
        messages.error(request, localized(error))
        return redirect("web:portal_subscription" if portal else "web:subscription", subscription.public_id)
    return _done(
        request, subscription, _("%(email)s was removed; the license is free again.") % {"email": member.email}, portal
    )


def _admin_add(request: HttpRequest, console: Console, subscription: Subscription, portal: bool) -> HttpResponse:
    form = forms.AdminForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        if data["can_purchase"] and not data["confirm_purchase"] and not portal:
            # Seed 004's warning: confirm before a customer admin may buy licenses.
            form.add_error("confirm_purchase", _("Please confirm the warning before granting purchase rights."))
        else:
            try:
                admin = subs.admin_add(
                    actor=console.actor,
                    subscription=subscription,
                    email=data["email"],
                    name=data["name"],
                    can_purchase=data["can_purchase"],
                )
            except DomainError as error:
                forms.add_domain_error(form, error, {"status": "email"})
            else:
                return _done(request, subscription, _("%(email)s is now an admin.") % {"email": admin.email}, portal)
    return _subscription_page(request, console, subscription, INVALID, admin_form=form)


def _admin_remove(request, console: Console, subscription: Subscription, admin_id: str, portal: bool):
    try:
        admin = admin_get(subscription, admin_id)
        subs.admin_remove(actor=console.actor, subscription=subscription, admin=admin)
    except DomainError as error:
        messages.error(request, localized(error))
        return redirect("web:portal_subscription" if portal else "web:subscription", subscription.public_id)
    return _done(request, subscription, _("%(email)s is no longer an admin.") % {"email": admin.email}, portal)


@require_POST
@reseller_view
def member_add(request: HttpRequest, console: Console, public_id: str) -> HttpResponse:
    return _member_add(request, console, _get_subscription(console, public_id), portal=False)


@require_POST
@reseller_view
def member_remove(request: HttpRequest, console: Console, public_id: str, member_id: str) -> HttpResponse:
    return _member_remove(request, console, _get_subscription(console, public_id), member_id, portal=False)


@require_POST
@reseller_view
def admin_add(request: HttpRequest, console: Console, public_id: str) -> HttpResponse:
    return _admin_add(request, console, _get_subscription(console, public_id), portal=False)


@require_POST
@reseller_view
def admin_remove(request: HttpRequest, console: Console, public_id: str, admin_id: str) -> HttpResponse:
    return _admin_remove(request, console, _get_subscription(console, public_id), admin_id, portal=False)


# ---------------------------------------------------------------- reseller: customers


@require_GET
@reseller_view
def customers(request: HttpRequest, console: Console) -> HttpResponse:
    status = request.GET.get("status") or None
    qs = customer_list(
        console.tenant,
        search=request.GET.get("q", "").strip(),
        status=status if status in ("invited", "active") else None,
        include_sub_resellers=console.is_distributor,
    )
    if console.acting_on is not None:
        qs = qs.filter(pk=console.acting_on.pk)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    invitations = selectors.customer_invitations(console.tenant, [c.pk for c in page.object_list])
    for customer in page.object_list:
        customer.open_invitation = invitations.get(customer.pk)
    return render(
        request,
        "web/customers.html",
        {
            "page": page,
            "filters": {"q": request.GET.get("q", ""), "status": request.GET.get("status", "")},
            "requests": selectors.relationship_requests_received(console.tenant),
        },
    )


@require_POST
@reseller_view
def relationship_request(request: HttpRequest, console: Console, public_id: str, action: str) -> HttpResponse:
    """Seed 003 from the reseller's side: accept or decline a company's request."""
    if action not in ("accept", "decline"):
        raise Http404
    try:
        invitation = selectors.relationship_request_received_get(console.tenant, public_id)
        relationship_request_respond(actor=console.actor, invitation=invitation, accept=action == "accept")
    except DomainError as error:
        if error.code == "not_found":
            raise Http404 from None
        messages.error(request, localized(error))
    else:
        who = invitation.customer.company_name if invitation.customer else invitation.requesting_reseller.name
        if action == "accept":
            messages.success(request, _("You now manage %(name)s.") % {"name": who})
        else:
            messages.success(request, _("The request of %(name)s was declined.") % {"name": who})
    return redirect("web:customers")


@require_POST
@reseller_view
def customer_invitation(request: HttpRequest, console: Console, public_id: str, action: str) -> HttpResponse:
    """Seed 002: resend or cancel the invitation of a customer still "Invited"."""
    service = {"resend": customer_invitation_resend, "cancel": customer_invitation_cancel}.get(action)
    if service is None:
        raise Http404
    try:
        invitation = service(actor=console.actor, customer=customer_get(console.tenant, public_id))
    except DomainError as error:
        if error.code == "not_found":
            raise Http404 from None
        messages.error(request, localized(error))
    else:
        if action == "resend":
            messages.success(request, _("The invitation to %(email)s was sent again.") % {"email": invitation.email})
        else:
            messages.success(request, _("The invitation to %(email)s was cancelled.") % {"email": invitation.email})
    return redirect("web:customers")


@reseller_view
def customer_new(request: HttpRequest, console: Console) -> HttpResponse:
    """Seed 002 "new customer": the contact is invited and the customer shows "Invited"
    until they accept."""
    form = forms.NewCustomerForm(request.POST or None, initial={"country": console.reseller.country})
    if request.method == "POST" and form.is_valid():
        data = {**form.cleaned_data, "language": console.reseller.language}
        try:
            customer = customer_create(actor=console.actor, data=data, invite=True)
        except DomainError as error:
            forms.add_domain_error(form, error)
        else:
            messages.success(
                request,
                _("%(name)s was created; the invitation went to %(email)s.")
                % {"name": customer.company_name, "email": customer.contact_email},
            )
            return redirect("web:customers")
    status = INVALID if request.method == "POST" else 200
    return render(request, "web/customer_new.html", {"form": form}, status=status)


@reseller_view
def customer_edit(request: HttpRequest, console: Console, public_id: str) -> HttpResponse:
    """Seed 004 "edit business information"."""
    try:
        customer = customer_get(console.tenant, public_id)
    except DomainError:
        raise Http404 from None
    if request.method != "POST":
        form = forms.CustomerForm(initial={name: getattr(customer, name) for name in BUSINESS_FIELDS})
        return render(request, "web/customer_edit.html", {"customer": customer, "form": form})
    form = forms.CustomerForm(request.POST)
    if form.is_valid():
        try:
            customer = customer_update(actor=console.actor, customer=customer, data=form.cleaned_data)
        except DomainError as error:
            forms.add_domain_error(form, error)
        else:
            messages.success(request, _("The business information was saved."))
            return redirect("web:customers")
    return render(request, "web/customer_edit.html", {"customer": customer, "form": form}, status=INVALID)


# ---------------------------------------------------------------- reseller: invoices


@require_GET
@reseller_view
def invoices(request: HttpRequest, console: Console) -> HttpResponse:
    """Seed 002: the reseller's invoices, to view and download."""
    status = request.GET.get("status")
    qs = invoice_list(
        console.tenant,
        status=status if status in ("open", "paid", "void") else None,
        customer_id=console.acting_on.public_id if console.acting_on else None,
    )
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "web/invoices.html", {"page": page, "filters": {"status": request.GET.get("status", "")}})


def _get_invoice(console: Console, public_id: str):
    try:
        return invoice_get(console.tenant, public_id)
    except DomainError:
        raise Http404 from None


@require_GET
@reseller_view
def invoice_detail(request: HttpRequest, console: Console, public_id: str) -> HttpResponse:
    return render(request, "web/invoice.html", {"invoice": _get_invoice(console, public_id)})


@require_GET
@reseller_view
def invoice_download(request: HttpRequest, console: Console, public_id: str) -> HttpResponse:
    invoice = _get_invoice(console, public_id)
    response = HttpResponse(invoice_pdf(invoice), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{invoice.number}.pdf"'
    return response


# ---------------------------------------------------------------- reseller: CSV exports

EXPORTS = {"customers": export_customers, "subscriptions": export_subscriptions, "invoices": export_invoices}


@require_GET
@reseller_view
def export_csv(request: HttpRequest, console: Console, what: str) -> StreamingHttpResponse:
    """The same CSV as ``partnerdesk export``, streamed. Every role may download: each export
    holds what that role already sees in the console. Acting on a customer narrows it to them."""
    if what not in EXPORTS:
        raise Http404
    customer_id = console.acting_on.public_id if console.acting_on else None
    response = StreamingHttpResponse(
        EXPORTS[what](console.tenant, customer_id=customer_id), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{what}-{clock.now():%Y-%m-%d}.csv"'
    return response


# ---------------------------------------------------------------- reseller: team, API keys


@reseller_view
def team(request: HttpRequest, console: Console) -> HttpResponse:
    """The team, its pending invitations, and inviting a colleague (owners)."""
    form = forms.TeamInviteForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            invitation = team_invite(actor=console.actor, **form.cleaned_data)
        except DomainError as error:
            forms.add_domain_error(form, error)
            if not console.can_team:  # the form is not on their page: say why at the top
                messages.error(request, localized(error))
        else:
            messages.success(request, _("%(email)s was invited to your team.") % {"email": invitation.email})
            return redirect("web:team")
    if request.method == "POST":
        status = INVALID
    context = {
        "team": console.reseller.memberships.select_related("user").order_by("created_at", "id"),
        "invitations": selectors.team_invitations(console.tenant),
        "form": form,
    }
    return render(request, "web/team.html", context, status=status)


@require_POST
@reseller_view
def team_invitation(request: HttpRequest, console: Console, public_id: str, action: str) -> HttpResponse:
    service = {"resend": invitation_resend, "cancel": invitation_cancel}.get(action)
    if service is None:
        raise Http404
    try:
        invitation = selectors.team_invitation_get(console.tenant, public_id)
        service(actor=console.actor, invitation=invitation)
    except DomainError as error:
        if error.code == "not_found":
            raise Http404 from None
        messages.error(request, localized(error))
    else:
        if action == "resend":
            messages.success(request, _("The invitation to %(email)s was sent again.") % {"email": invitation.email})
        else:
            messages.success(request, _("The invitation to %(email)s was cancelled.") % {"email": invitation.email})
    return redirect("web:team")


@reseller_view
def settings_page(request: HttpRequest, console: Console) -> HttpResponse:
    """The reseller's business information (seed 004: "edit business information")."""
    reseller = console.reseller
    if request.method != "POST":
        form = forms.ResellerSettingsForm(initial={name: getattr(reseller, name) for name in RESELLER_BUSINESS_FIELDS})
        return render(request, "web/settings.html", {"form": form})
    form = forms.ResellerSettingsForm(request.POST)
    if form.is_valid():
        try:
            reseller_business_update(actor=console.actor, data=form.cleaned_data)
        except DomainError as error:
            forms.add_domain_error(form, error)
        else:
            messages.success(request, _("The business information was saved."))
            return redirect("web:settings")
    return render(request, "web/settings.html", {"form": form}, status=INVALID)


@reseller_view
def api_keys(request: HttpRequest, console: Console) -> HttpResponse:
    """Create (the key is shown once, on this response only) and list the reseller's keys."""
    form = forms.ApiKeyForm(request.POST or None)
    created = None
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            created = apikey_create(actor=console.actor, reseller=console.reseller, name=form.cleaned_data["name"])
        except DomainError as error:
            forms.add_domain_error(form, error)
            status = INVALID
        else:
            form = forms.ApiKeyForm()
    keys = selectors.api_keys_of(console.tenant)
    response = render(request, "web/api_keys.html", {"form": form, "keys": keys, "created": created}, status=status)
    response["Cache-Control"] = "no-store"
    return response


@reseller_view
def webhooks(request: HttpRequest, console: Console) -> HttpResponse:
    """Webhook endpoints: add one (its signing secret is shown once), list, remove."""
    form = forms.WebhookEndpointForm(request.POST or None, event_types=EVENT_TYPES)
    created = status = None
    if request.method == "POST" and form.is_valid():
        try:
            endpoint, secret = webhook_endpoint_create(
                actor=console.actor,
                url=form.cleaned_data["url"],
                events=form.cleaned_data["events"] or [ALL_TYPES],
                description=form.cleaned_data["description"],
            )
        except DomainError as error:
            forms.add_domain_error(form, error)
        else:
            created = {"endpoint": endpoint, "secret": secret}
            form = forms.WebhookEndpointForm(event_types=EVENT_TYPES)
    if request.method == "POST" and created is None:
        status = INVALID
    context = {"form": form, "created": created, "endpoints": webhook_endpoint_list(console.tenant)}
    response = render(request, "web/webhooks.html", context, status=status or 200)
    response["Cache-Control"] = "no-store"
    return response


@require_POST
@reseller_view
def webhook_delete(request: HttpRequest, console: Console, public_id: str) -> HttpResponse:
    try:
        endpoint = webhook_endpoint_get(console.tenant, public_id)
        webhook_endpoint_delete(actor=console.actor, endpoint=endpoint)
    except DomainError as error:
        if error.code == "not_found":
            raise Http404 from None
        messages.error(request, localized(error))
    else:
        messages.success(request, _("The webhook endpoint was removed."))
    return redirect("web:webhooks")


@require_POST
@reseller_view
def api_key_revoke(request: HttpRequest, console: Console, public_id: str) -> HttpResponse:
    try:
        apikey_revoke(actor=console.actor, api_key=selectors.api_key_get(console.tenant, public_id))
    except DomainError as error:
        if error.code == "not_found":
            raise Http404 from None
        messages.error(request, localized(error))
    else:
        messages.success(request, _("The API key was revoked."))
    return redirect("web:api_keys")


# ---------------------------------------------------------------- customer portal


@require_POST
@customer_view
def portal_switch(request: HttpRequest, console: Console) -> HttpResponse:
    chosen = request.POST.get("customer", "")
    if any(c.public_id == chosen for c in console.customers):
        request.session[SESSION_CUSTOMER] = chosen
    return redirect("web:portal")


@require_GET
@customer_view
def portal(request: HttpRequest, console: Console) -> HttpResponse:
    """The customer's subscriptions (never prices) and "your partner" (seed 003)."""
    subscriptions = selectors.dashboard_subscriptions(console.tenant, sort="-created", archived=False).select_related(
        "reseller"
    )
    return _portal_page(request, console, subscriptions=subscriptions)


def _portal_page(request, console: Console, status: int = 200, **context) -> HttpResponse:
    context.setdefault(
        "subscriptions", selectors.dashboard_subscriptions(console.tenant, sort="-created", archived=False)
    )
    context.setdefault("partner_form", forms.PartnerRequestForm())
    context |= {
        "partner": console.customer.reseller,
        "requests": selectors.relationship_requests_sent(console.customer),
        "reseller_names": selectors.reseller_names(),
    }
    return render(request, "web/portal.html", context, status=status)


@require_POST
@customer_view
def portal_partner_request(request: HttpRequest, console: Console) -> HttpResponse:
    """Seed 003: the company asks a reseller to manage it."""
    form = forms.PartnerRequestForm(request.POST)
    if form.is_valid():
        try:
            reseller = selectors.reseller_find(form.cleaned_data["reseller"])
            relationship_request_create(actor=console.actor, reseller=reseller)
        except DomainError as error:
            forms.add_domain_error(form, error)
        else:
            messages.success(request, _("Your request was sent to %(name)s.") % {"name": reseller.name})
            return redirect("web:portal")
    return _portal_page(request, console, INVALID, partner_form=form)


@require_POST
@customer_view
def portal_partner_request_action(request: HttpRequest, console: Console, public_id: str, action: str) -> HttpResponse:
    service = {"resend": invitation_resend, "cancel": invitation_cancel}.get(action)
    if service is None:
        raise Http404
    try:
        invitation = selectors.relationship_request_sent_get(console.customer, public_id)
        service(actor=console.actor, invitation=invitation)
    except DomainError as error:
        if error.code == "not_found":
            raise Http404 from None
        messages.error(request, localized(error))
    else:
        if action == "resend":
            messages.success(request, _("Your request was sent again."))
        else:
            messages.success(request, _("Your request was cancelled."))
    return redirect("web:portal")


def _portal_subscription(console: Console, public_id: str) -> Subscription:
    try:
        return subscription_get(console.tenant, public_id)
    except DomainError:
        raise Http404 from None


@require_GET
@customer_view
def portal_subscription(request: HttpRequest, console: Console, public_id: str) -> HttpResponse:
    return _subscription_page(request, console, _portal_subscription(console, public_id))


@require_GET
@customer_view
def portal_seats_quote(request: HttpRequest, console: Console, public_id: str) -> HttpResponse:
    """A customer admin with purchase rights buys licenses at list price (seed 004's warning)."""
    return _seats_quote(request, console, _portal_subscription(console, public_id))


@require_POST
@customer_view
def portal_seats(request: HttpRequest, console: Console, public_id: str) -> HttpResponse:
    return _seats_order(request, console, _portal_subscription(console, public_id), portal=True)


@require_POST
@customer_view
def portal_member_add(request: HttpRequest, console: Console, public_id: str) -> HttpResponse:
    return _member_add(request, console, _portal_subscription(console, public_id), portal=True)


@require_POST
@customer_view
def portal_member_remove(request: HttpRequest, console: Console, public_id: str, member_id: str) -> HttpResponse:
    return _member_remove(request, console, _portal_subscription(console, public_id), member_id, portal=True)


@require_POST
@customer_view
def portal_admin_add(request: HttpRequest, console: Console, public_id: str) -> HttpResponse:
    return _admin_add(request, console, _portal_subscription(console, public_id), portal=True)


@require_POST
@customer_view
def portal_admin_remove(request: HttpRequest, console: Console, public_id: str, admin_id: str) -> HttpResponse:
    return _admin_remove(request, console, _portal_subscription(console, public_id), admin_id, portal=True)
