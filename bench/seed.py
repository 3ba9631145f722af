"""Bulk bench data: N customers, each with one subscription, and M members spread over them.

Bench data only: rows are written with bulk inserts (the services would take minutes for
100,000 members), but they satisfy every invariant the services keep: ``assigned``
equals the members of each subscription, periods run forward, one reseller owns it all.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone

from partnerdesk.accounts.models import Reseller, ResellerMembership, User, Vendor
from partnerdesk.catalog.models import Plan, Product
from partnerdesk.core.ids import new_public_id
from partnerdesk.core.periods import add_months
from partnerdesk.customers.models import Customer
from partnerdesk.subscriptions.models import Member, Subscription, SubscriptionAdmin

BENCH_RESELLER = "Bench Distribution GmbH"
BENCH_USER = "bench@bench.example"
BENCH_PASSWORD = "bench-password"


def seed(*, customers: int, members: int, batch: int = 2000) -> Reseller:
    now = timezone.now()
    Vendor.objects.get_or_create(singleton=True, defaults={"name": "Bench Vendor GmbH", "country": "DE"})
    product, _ = Product.objects.get_or_create(
        code="bench-product", defaults={"name": "Bench Product", "launch_url": "https://x.example"}
    )
    plan, _ = Plan.objects.get_or_create(
        code="bench-annual",
        defaults={"product": product, "name": "Annual", "term_months": 12, "price_per_seat": Decimal("120.00")},
    )
    reseller, _ = Reseller.objects.get_or_create(
        name=BENCH_RESELLER, defaults={"country": "DE", "discount_percent": Decimal("20"), "contact_email": BENCH_USER}
    )
    user = User.objects.filter(email=BENCH_USER).first() or User.objects.create_user(BENCH_USER, BENCH_PASSWORD)
    ResellerMembership.objects.get_or_create(user=user, reseller=reseller, defaults={"role": "owner"})
    if Customer.objects.filter(reseller=reseller).count() >= customers:
        return reseller

    per_sub, extra = divmod(members, customers)
    seats_base = per_sub + 10
    with transaction.atomic():
        for start in range(0, customers, batch):
            size = min(batch, customers - start)
            created = [now - timedelta(minutes=start + i) for i in range(size)]
            rows = Customer.objects.bulk_create(
                [
                    Customer(
                        public_id=new_public_id("cus"),
                        reseller=reseller,
                        company_name=f"Kunde {start + i} GmbH",
                        contact_email=f"it@kunde{start + i}.example",
                        domain=f"kunde{start + i}.example",
                        country="DE",
                        created_at=created[i],
                        updated_at=created[i],
                    )
                    for i in range(size)
                ]
            )
            subs = Subscription.objects.bulk_create(
                [
                    Subscription(
                        public_id=new_public_id("sub"),
                        customer=c,
                        reseller=reseller,
                        plan=plan,
                        status="active",
                        seats=seats_base + 1,
                        assigned=per_sub + (1 if start + i < extra else 0),
                        billing_anchor=created[i],
                        current_period_start=created[i],
                        current_period_end=add_months(created[i], 12),
                        next_payment_date=add_months(created[i], 12).date(),
                        created_at=created[i],
                    )
                    for i, c in enumerate(rows)
                ]
            )
            SubscriptionAdmin.objects.bulk_create(
                [
                    SubscriptionAdmin(public_id=new_public_id("adm"), subscription=s, email=BENCH_USER, kind="reseller")
                    for s in subs
                ]
            )
            members_rows = [
                Member(
                    public_id=new_public_id("mem"),
                    subscription=s,
                    email=f"u{n}@kunde{start + i}.example",
                    status="active",
                    invited_at=s.created_at,
                )
                for i, s in enumerate(subs)
                for n in range(s.assigned)
            ]
            Member.objects.bulk_create(members_rows, batch_size=5000)
    if connection.vendor == "postgresql":
        # Right after a bulk load PostgreSQL has no statistics until autovacuum's next round
        # (up to a minute later) and plans for tiny tables: the dashboard's newest-first page
        # then sorted all 10,000 subscriptions (70 ms instead of 1). A running database has them.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return reseller
