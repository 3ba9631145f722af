"""Reads the console needs beyond the domain apps' selectors: dashboard figures, the
12-month chart, the customers a portal user administers. Always scoped to a tenant."""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum

from partnerdesk.accounts.models import ApiKey, Reseller
from partnerdesk.billing.pricing import Buyer, Quote, period_line, quote
from partnerdesk.catalog.models import Plan, Product
from partnerdesk.core.actors import Tenant
from partnerdesk.core.errors import invalid, not_found
from partnerdesk.core.money import quantize
from partnerdesk.core.periods import add_months
from partnerdesk.customers.models import Customer
from partnerdesk.invitations.models import Invitation
from partnerdesk.subscriptions.models import SeatLedgerEntry, Status, Subscription
from partnerdesk.subscriptions.selectors import subscription_list

# Sort keys the dashboard accepts, with the order they mean ("-" = descending).
SORTS: dict[str, tuple[str, ...]] = {
    "customer": ("customer__company_name", "-id"),
    "-customer": ("-customer__company_name", "-id"),
    "product": ("plan__product__name", "customer__company_name", "-id"),
    "-product": ("-plan__product__name", "customer__company_name", "-id"),
    "status": ("status", "customer__company_name", "-id"),
    "-status": ("-status", "customer__company_name", "-id"),
    "seats": ("seats", "-id"),
    "-seats": ("-seats", "-id"),
    "next_payment": ("next_payment_date", "-id"),
    "-next_payment": ("-next_payment_date", "-id"),
    "created": ("created_at", "id"),
    "-created": ("-created_at", "-id"),
}
LIVE_STATUSES = (Status.TRIAL, Status.ACTIVE, Status.PAST_DUE, Status.SUSPENDED)
PAID_STATUSES = (Status.ACTIVE, Status.PAST_DUE)


def dashboard_subscriptions(
    tenant: Tenant,
    *,
    search: str = "",
    status: str | None = None,
    product_code: str | None = None,
    customer_id: str | None = None,
    sort: str = "-created",
    archived: bool = False,
    include_sub_resellers: bool = False,
) -> QuerySet[Subscription]:
    """The subscriptions table, filtered and sorted (unknown sort keys fall back to newest)."""
    qs = subscription_list(
        tenant,
        status=status or None,
        customer_id=customer_id,
        archived=archived,
        product_code=product_code or None,
        search=search.strip(),
        include_sub_resellers=include_sub_resellers,
    )
    return qs.order_by(*SORTS.get(sort, SORTS["-created"]))


def products_for_sale() -> QuerySet[Product]:
    return Product.objects.filter(is_active=True, plans__is_active=True).distinct().order_by("name")


def plan_for(product_code: str, term_months: object) -> Plan:
    """The plan selling ``product_code`` for a term of 1 or 12 months."""
    try:
        term = int(str(term_months))
    except ValueError:
        raise invalid("Choose a term of 1 or 12 months.", "term") from None
    if not product_code:
        raise invalid("Choose a product.", "product")
    plan = (
        Plan.objects.select_related("product")
        .filter(product__code=product_code, product__is_active=True, is_active=True, term_months=term)
        .first()
    )
    if plan is None:
        if not Product.objects.filter(code=product_code, is_active=True).exists():
            raise invalid("Choose a product.", "product")
        raise invalid("This product is not sold with this term.", "term")
    return plan


@dataclass(frozen=True)
class Totals:
    live_subscriptions: int
    seats: int
    assigned: int
    mrr: dict[str, Decimal]  # currency -> monthly recurring revenue at list price


def monthly_value(seats: int, plan: Plan) -> Decimal:
    """List price per month: a 12-month term counts a twelfth per month."""
    return Decimal(seats) * plan.price_per_seat / Decimal(plan.term_months)


def dashboard_totals(subscriptions: QuerySet[Subscription]) -> Totals:
    """Figures for the subscriptions shown (the same filters as the table). MRR counts paid
    subscriptions only (not trials) at list price, before any discount or VAT.

    Summed by the database (seats per plan), so the cost does not grow with the rows shown."""
    live = subscriptions.filter(status__in=LIVE_STATUSES).order_by()
    sums = live.aggregate(count=Count("pk"), seats=Sum("seats"), assigned=Sum("assigned"))
    paid_seats = dict(
        live.filter(status__in=PAID_STATUSES)
        .values("plan_id")
        .annotate(seats=Sum("seats"))
        .values_list("plan_id", "seats")
    )
    mrr: dict[str, Decimal] = defaultdict(Decimal)
    for plan in Plan.objects.filter(pk__in=paid_seats).order_by("pk"):
        mrr[plan.currency] += monthly_value(paid_seats[plan.pk], plan)
    return Totals(
        live_subscriptions=sums["count"],
        seats=sums["seats"] or 0,
        assigned=sums["assigned"] or 0,
        mrr={currency: quantize(value, currency) for currency, value in sorted(mrr.items())},
    )


@dataclass(frozen=True)
class MonthPoint:
    month: datetime  # first instant of the month
    seats: int
    revenue: Decimal  # MRR at list price at the end of that month (first currency only)


def _month_start(moment: datetime) -> datetime:
    return moment.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def seats_and_revenue_history(subscriptions: QuerySet[Subscription], *, now: datetime) -> list[MonthPoint]:
    """Seats and monthly recurring revenue at the end of each of the last 12 months
    (the current month up to ``now``), rebuilt from the seat ledger: a subscription
    counts while it existed and had not ended; revenue only once its paid period began.

    Reads plain columns rather than model instances: with thousands of subscriptions
    building objects was most of the dashboard's time."""
    this_month = _month_start(now)
    months = [add_months(this_month, -offset) for offset in range(11, -1, -1)]
    ends = [min(add_months(month, 1), now) for month in months]
    window = subscriptions.filter(created_at__lt=ends[-1]).filter(Q(ended_at__isnull=True) | Q(ended_at__gte=months[0]))
    subs = list(window.values_list("pk", "created_at", "ended_at", "seats", "billing_anchor", "plan_id"))
    plans = {plan.pk: plan for plan in Plan.objects.filter(pk__in={s[5] for s in subs})}
    ledger: dict[int, list[tuple[datetime, int]]] = defaultdict(list)
    entries = SeatLedgerEntry.objects.filter(subscription__in=window.values("pk"), effective="now").order_by("at", "id")
    for subscription_id, at, seats_to in entries.values_list("subscription_id", "at", "seats_to"):
        ledger[subscription_id].append((at, seats_to))
    currency = plans[subs[0][5]].currency if subs else "EUR"
    points = []
    for month, end in zip(months, ends, strict=True):
        seats = 0
        revenue = Decimal(0)
        for pk, created_at, ended_at, current_seats, billing_anchor, plan_id in subs:
            if created_at >= end or (ended_at is not None and ended_at < end):
                continue
            entries = ledger.get(pk)
            held = bisect_left(entries, (end,)) if entries else 0  # entries before ``end``
            count = entries[held - 1][1] if held else current_seats
            seats += count
            plan = plans[plan_id]
            if billing_anchor is not None and billing_anchor < end and plan.currency == currency:
                revenue += monthly_value(count, plan)
        points.append(MonthPoint(month=month, seats=seats, revenue=quantize(revenue, currency)))
    return points


def new_subscription_quote(*, reseller: Reseller, plan: Plan, seats: int, now: datetime) -> Quote:
    """What the first term of a new subscription will cost the reseller: the billing
    module's own pricing (discount, VAT), shown before confirming (seed 004). For a plan
    with a trial it is what the first invoice at the trial end will say."""
    start = now + timedelta(days=plan.trial_days)
    buyer = Buyer.of_reseller(reseller)
    line = period_line(plan=plan, seats=seats, start=start, end=add_months(start, plan.term_months), buyer=buyer)
    return quote(lines=[line], currency=plan.currency, buyer=buyer, on=start.date())


def customer_invitations(tenant: Tenant, customer_ids: list[int]) -> dict[int, Invitation]:
    """The newest open (pending or expired) customer-admin invitation per customer, for
    the customers list's Resend / Cancel (seed 002). Only the tenant's own."""
    found: dict[int, Invitation] = {}
    qs = Invitation.objects.filter(
        kind=Invitation.Kind.CUSTOMER_ADMIN,
        reseller=tenant.reseller,
        customer_id__in=customer_ids,
        status__in=[Invitation.Status.PENDING, Invitation.Status.EXPIRED],
    ).order_by("-sent_at", "-id")
    for invitation in qs:
        found.setdefault(invitation.customer_id, invitation)
    return found


def reseller_find(name: str) -> Reseller:
    """The active reseller a company names (seed 003: "type the first letters of the
    reseller's name"): an exact name, else the only one starting with what was typed."""
    name = (name or "").strip()
    active = Reseller.objects.filter(status=Reseller.Status.ACTIVE)
    found = active.filter(name__iexact=name).first() if name else None
    if found is None and name:
        matches = list(active.filter(name__istartswith=name)[:2])
        found = matches[0] if len(matches) == 1 else None
    if found is None:
        raise invalid("No reseller with this name; type its name as shown in the list.", "reseller")
    return found


def reseller_names() -> list[str]:
    return list(Reseller.objects.filter(status=Reseller.Status.ACTIVE).order_by("name").values_list("name", flat=True))


def relationship_requests_sent(customer: Customer) -> QuerySet[Invitation]:
    """The company's open requests to resellers (to resend or cancel)."""
    return (
        Invitation.objects.filter(
            kind=Invitation.Kind.RELATIONSHIP_REQUEST,
            customer=customer,
            status__in=[Invitation.Status.PENDING, Invitation.Status.EXPIRED],
        )
        .select_related("reseller")
        .order_by("-sent_at", "-id")
    )


def relationship_request_sent_get(customer: Customer, public_id: str) -> Invitation:
    invitation = relationship_requests_sent(customer).filter(public_id=public_id).first()
    if invitation is None:
        raise not_found("request", "request")
    return invitation


def relationship_requests_received(tenant: Tenant) -> QuerySet[Invitation]:
    """Companies (and would-be sub-resellers) asking this reseller, still pending."""
    return (
        Invitation.objects.filter(
            kind=Invitation.Kind.RELATIONSHIP_REQUEST, reseller=tenant.reseller, status=Invitation.Status.PENDING
        )
        .select_related("customer", "requesting_reseller")
        .order_by("-sent_at", "-id")
    )


def relationship_request_received_get(tenant: Tenant, public_id: str) -> Invitation:
    invitation = relationship_requests_received(tenant).filter(public_id=public_id).first()
    if invitation is None:
        raise not_found("request", "request")
    return invitation


def team_invitations(tenant: Tenant) -> QuerySet[Invitation]:
    """Colleagues invited into the reseller's team who have not accepted yet."""
    return Invitation.objects.filter(
        kind=Invitation.Kind.TEAM_MEMBER,
        reseller=tenant.reseller,
        status__in=[Invitation.Status.PENDING, Invitation.Status.EXPIRED],
    ).order_by("-sent_at", "-id")


def team_invitation_get(tenant: Tenant, public_id: str) -> Invitation:
    invitation = team_invitations(tenant).filter(public_id=public_id).first()
    if invitation is None:
        raise not_found("invitation", "invitation")
    return invitation


def customer_admin_can_purchase(subscription: Subscription, user) -> bool:
    """Whether this customer admin was granted purchase rights on the subscription."""
    return subscription.admins.filter(kind="customer", can_purchase=True, email__iexact=user.email).exists()


def api_keys_of(tenant: Tenant) -> QuerySet[ApiKey]:
    """The reseller's API keys, newest first (only their visible prefix is stored)."""
    return ApiKey.objects.filter(reseller=tenant.reseller).order_by("-created_at", "-id")


def api_key_get(tenant: Tenant, public_id: str) -> ApiKey:
    key = api_keys_of(tenant).filter(public_id=public_id).first()
    if key is None:
        raise not_found("API key", "api_key")
    return key
