"""Benchmark: one billing run over N subscriptions whose period has ended.

    python bench/billing_run.py [--n 100000]

Uses a database of its own, created afresh: with DATABASE_URL pointing at PostgreSQL,
the database ``<name>_bench`` on that server; otherwise a SQLite file in a temporary
directory. The subscriptions are inserted directly (setup is not what is measured);
the run itself goes through ``billing_run`` in a fresh child process, so its peak
memory is the run's own. Prints invoices per second and the run's peak RSS.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
RUN_AT = datetime(2026, 4, 15, 2, 0, tzinfo=UTC)
ANCHOR = datetime(2026, 3, 10, 9, 30, tzinfo=UTC)


def _django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.production"
    import django

    django.setup()


def bench_database_url() -> str:
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        import psycopg

        base, name = url.rsplit("/", 1)
        name = f"{name.split('?')[0]}_bench"
        with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
        return f"{base}/{name}"
    return f"sqlite:///{tempfile.mkdtemp(prefix='pd-bench-')}/bench.sqlite3"


def setup(n: int, *, email: bool = True) -> None:
    from django.core.management import call_command

    from partnerdesk.accounts.models import Reseller, Vendor
    from partnerdesk.catalog.models import Plan, Product
    from partnerdesk.core.periods import add_months
    from partnerdesk.customers.models import Customer
    from partnerdesk.subscriptions.models import Subscription

    call_command("migrate", verbosity=0)
    Vendor.objects.create(name="Bench Vendor GmbH", country="DE", vat_id="DE136695976", iban="DE89370400440532013000")
    resellers = [
        Reseller.objects.create(
            name=f"Reseller {r}",
            country=c,
            discount_percent=Decimal(d),
            vat_id=v,
            # With a contact, each invoice gets an e-mail in the outbox (rendered when sent).
            contact_email=f"billing@reseller{r}.example" if email else "",
        )
        for r, (c, d, v) in enumerate([("DE", "20", ""), ("NL", "15", "NL004495445B01"), ("US", "10", "")])
    ]
    product = Product.objects.create(code="bench", name="Bench Product")
    plan = Plan.objects.create(product=product, code="bench-monthly", name="Monthly", term_months=1, price_per_seat=12)
    customers = Customer.objects.bulk_create(
        [Customer(reseller=resellers[i % 3], company_name=f"Customer {i}", country="DE") for i in range(300)]
    )
    end = add_months(ANCHOR, 1)
    batch = []
    for i in range(n):
        seats = 1 + i % 50
        batch.append(
            Subscription(
                public_id=f"sub_bench{i:015d}",
                customer=customers[i % 300],
                reseller=customers[i % 300].reseller,
                plan=plan,
                status="active",
                seats=seats,
                pending_seats=seats - 1 if i % 10 == 0 and seats > 1 else None,
                billing_anchor=ANCHOR,
                current_period_start=ANCHOR,
                current_period_end=end,
                next_payment_date=end.date(),
                created_at=ANCHOR,
            )
        )
        if len(batch) == 5000:
            Subscription.objects.bulk_create(batch)
            batch = []
    Subscription.objects.bulk_create(batch)


def child(now: str) -> None:
    from partnerdesk.billing.run import billing_run

    started = time.perf_counter()
    counts = billing_run(now=datetime.fromisoformat(now))
    seconds = time.perf_counter() - started
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"counts": dict(counts), "seconds": seconds, "peak_rss_mb": peak_kb / 1024}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000, help="subscriptions (default 100,000)")
    parser.add_argument("--without-email", action="store_true", help="resellers without a contact: no invoice e-mails")
    parser.add_argument("--child", metavar="NOW", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _django(os.environ["DATABASE_URL"])
        child(args.child)
        return

    url = bench_database_url()
    engine = "PostgreSQL" if url.startswith("postgres") else "SQLite"
    emails = "without" if args.without_email else "with"
    print(f"billing run benchmark: {args.n:,} subscriptions due for renewal on {engine}, {emails} e-mails", flush=True)
    _django(url)
    started = time.perf_counter()
    setup(args.n, email=not args.without_email)
    print(f"setup: {time.perf_counter() - started:.1f} s", flush=True)
    result = subprocess.run(
        [sys.executable, __file__, "--child", (RUN_AT + timedelta(0)).isoformat()],
        env={**os.environ, "DATABASE_URL": url, "PARTNERDESK_LOG_LEVEL": "WARNING"},
        capture_output=True,
        text=True,
        check=True,
    )
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    invoices = figures["counts"].get("invoices", 0)
    print(f"invoices issued: {invoices:,} in {figures['seconds']:.1f} s")
    print(f"invoices per second: {invoices / figures['seconds']:,.0f}")
    print(f"peak RSS of the run: {figures['peak_rss_mb']:.0f} MB")
    if figures["counts"].get("errors"):
        print(f"errors: {figures['counts']['errors']}")
        sys.exit(1)


if __name__ == "__main__":
    main()
