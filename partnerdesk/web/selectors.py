"""Reads the console needs beyond the domain apps' selectors: dashboard figures, the
12-month chart, the customers a portal user administers. Always scoped to a tenant."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.db import connection
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


def monthly_revenue(seats_by_plan: dict[int, int], plans: dict[int, Plan], currency: str) -> Decimal:
    """List-price revenue per month of ``seats_by_plan`` in ``currency`` (other currencies are
    left out), rounded once. Seats times price are summed per term before dividing by it,
    so the one inexact step (a twelfth) happens once and the cent is right even where a sum
    of many rounded twelfths would land just beside a half cent."""
    per_term: dict[int, Decimal] = defaultdict(Decimal)
    for plan_id, seats in seats_by_plan.items():
        plan = plans[plan_id]
        if plan.currency == currency:
            per_term[plan.term_months] += Decimal(seats) * plan.price_per_seat
    total = sum((amount / Decimal(term) for term, amount in sorted(per_term.items())), Decimal(0))
    return quantize(total, currency)


def dashboard_totals(subscriptions: QuerySet[Subscription]) -> Totals:
    """Figures for the subscriptions shown (the same filters as the table). MRR counts paid
    subscriptions only (not trials) at list price, before any discount or VAT.

    Summed by the database in one pass (per plan), so the cost does not grow with the rows shown."""
    paid = Q(status__in=PAID_STATUSES)
    per_plan = (
        subscriptions.filter(status__in=LIVE_STATUSES)
        .order_by()
        .values("plan_id")
        .annotate(
            live_count=Count("pk"),
            live_seats=Sum("seats"),
            live_assigned=Sum("assigned"),
            paid_seats=Sum("seats", filter=paid),
        )
        .values_list("plan_id", "live_count", "live_seats", "live_assigned", "paid_seats")
    )
    rows = list(per_plan)
    paid_seats = {plan_id: paid_seats for plan_id, _, _, _, paid_seats in rows if paid_seats}
    plans = Plan.objects.in_bulk(paid_seats)
    return Totals(
        live_subscriptions=sum(row[1] for row in rows),
        seats=sum(row[2] for row in rows),
        assigned=sum(row[3] for row in rows),
        mrr={
            currency: monthly_revenue(paid_seats, plans, currency)
            for currency in sorted({plan.currency for plan in plans.values()})
        },
    )


@dataclass(frozen=True)
class MonthPoint:
    month: datetime  # first instant of the month
    seats: int
    revenue: Decimal  # MRR at list price at the end of that month (first currency only)


def _month_start(moment: datetime) -> datetime:
    return moment.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


# The 12-month chart, summed by the database. A subscription's seats at a moment are those
# of its last seat-ledger entry ("now" entries, in (at, id) order) before that moment, or its
# current seats when there is none yet. With the month ends e0 <= ... <= e11, bucket(t)
# is how many of them are <= t (12 for NULL), so "t < e_i" reads
# "bucket(t) <= i". ``seg`` cuts each subscription's time into pieces (lo, hi] with the
# seats held then (lo 0: from the start; hi 12: to the end). A piece counts at e_i while
# lo <= i < hi and the subscription existed (created <= i < ended), as revenue once its paid
# period began (paid <= i): each condition is a range of months, and the rows come back
# grouped by those ranges (a few dozen rows, not one per subscription) for Python to add up.
_HISTORY_SQL = """
WITH w (id, created_at, ended_at, seats, billing_anchor, plan_id) AS ({window}),
s AS (
    SELECT id, seats, plan_id, {created} AS created, {ended} AS ended, {paid} AS paid FROM w
),
l AS (
    SELECT subscription_id AS sid, at, seats_to,
        LEAD(at) OVER (PARTITION BY subscription_id ORDER BY at, id) AS next_at,
        ROW_NUMBER() OVER (PARTITION BY subscription_id ORDER BY at, id) AS n
    FROM {ledger} WHERE effective = 'now' AND subscription_id IN (SELECT id FROM w)
),
seg (created, ended, paid, lo, hi, plan_id, v) AS (
    SELECT s.created, s.ended, s.paid, 0, {first_at}, s.plan_id, s.seats
    FROM s LEFT JOIN l ON l.sid = s.id AND l.n = 1
    UNION ALL
    SELECT s.created, s.ended, s.paid, {at}, {next_at}, s.plan_id, l.seats_to
    FROM l JOIN s ON s.id = l.sid
)
SELECT created, ended, paid, lo, hi, plan_id, SUM(v) FROM seg GROUP BY created, ended, paid, lo, hi, plan_id
"""
HISTORY_MONTHS = 12


def _bucket_sql(column: str, ends: list, first: int = 0, last: int = HISTORY_MONTHS) -> tuple[str, list]:
    """SQL and parameters for how many of ``ends`` are <= ``column``: a binary search, four
    comparisons a row instead of twelve (NULL compares false all the way: 12). The month
    ends are parameters, not columns of a joined row: SQLite compares those twice as fast."""
    if first == last:
        return str(first), []
    middle = (first + last) // 2
    below, below_params = _bucket_sql(column, ends, first, middle)
    above, above_params = _bucket_sql(column, ends, middle + 1, last)
    return f"CASE WHEN {column} < %s THEN {below} ELSE {above} END", [ends[middle], *below_params, *above_params]


def seats_and_revenue_history(subscriptions: QuerySet[Subscription], *, now: datetime) -> list[MonthPoint]:
    """Seats and monthly recurring revenue at the end of each of the last 12 months
    (the current month up to ``now``), rebuilt from the seat ledger: a subscription
    counts while it existed and had not ended; revenue only once its paid period began.
    Revenue is in the currency of the first subscription shown (others are left out).

    Summed by the database in one grouped query (see ``_HISTORY_SQL``)."""
    this_month = _month_start(now)
    months = [add_months(this_month, -offset) for offset in range(HISTORY_MONTHS - 1, -1, -1)]
    ends = [min(add_months(month, 1), now) for month in months]
    window = subscriptions.filter(created_at__lt=ends[-1]).filter(Q(ended_at__isnull=True) | Q(ended_at__gte=months[0]))
    currency = window.values_list("plan__currency", flat=True).first() or "EUR"
    window_sql, window_params = (
        window.order_by()
        .values_list("pk", "created_at", "ended_at", "seats", "billing_anchor", "plan_id")
        .query.sql_with_params()
    )
    adapted = [connection.ops.adapt_datetimefield_value(end) for end in ends]
    # In the order they appear in _HISTORY_SQL, so that the parameters line up.
    parts = {"window": (window_sql, list(window_params))}
    for name, column in [
        ("created", "created_at"),
        ("ended", "ended_at"),
        ("paid", "billing_anchor"),
        ("first_at", "l.at"),
        ("at", "l.at"),
        ("next_at", "l.next_at"),
    ]:
        parts[name] = _bucket_sql(column, adapted)
    ledger = connection.ops.quote_name(SeatLedgerEntry._meta.db_table)
    sql = _HISTORY_SQL.format(ledger=ledger, **{name: part[0] for name, part in parts.items()})
    params = [param for _, part_params in parts.values() for param in part_params]
    seats = [0] * HISTORY_MONTHS
    paid: list[dict[int, int]] = [defaultdict(int) for _ in ends]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for created, ended, paid_from, lo, hi, plan_id, held in cursor.fetchall():
            first, stop = max(created, lo), min(ended, hi)  # held at e_i for first <= i < stop
            for i in range(first, stop):
                seats[i] += held
            for i in range(max(first, paid_from), stop):
                paid[i][plan_id] += held
    plans = Plan.objects.in_bulk({plan_id for month in paid for plan_id in month})
    return [
        MonthPoint(month=month, seats=seats[i], revenue=monthly_revenue(paid[i], plans, currency))
        for i, month in enumerate(months)
    ]


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
