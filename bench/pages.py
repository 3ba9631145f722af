"""In-process timings of the console pages on the bench data (no server, no wrk).

    .venv/bin/python bench/pages.py [--data /tmp/pd-pages] [--repeat 20] [--profile dashboard]

Loads bench/seed.py's data (10,000 customers, 100,000 members) into a SQLite file in the
data folder once (kept between runs: loading takes about a minute), then times each page
through Django's test client: median and best of ``--repeat`` requests, and the number
of queries. ``--profile NAME`` prints the top of a cProfile run of that page.

The dashboard is kept in the views cache between changes (revisions/cache.py): "dashboard"
is a view with nothing changed since the last, "dashboard, changed" the first view after a
change to one of the reseller's subscriptions (the change itself not timed).
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", default="/tmp/partnerdesk-pages")
    parser.add_argument("--customers", type=int, default=10_000)
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--profile", default="")
    parser.add_argument(
        "--fresh-connection",
        action="store_true",
        help="open a new database connection for every request, as a server does when CONN_MAX_AGE is 0",
    )
    args = parser.parse_args()

    os.environ["PARTNERDESK_DATA_DIR"] = args.data
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")
    os.environ.setdefault("PARTNERDESK_LOG_LEVEL", "WARNING")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import F
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from bench.seed import BENCH_USER, seed
    from partnerdesk.accounts.models import User
    from partnerdesk.subscriptions.models import Subscription

    call_command("migrate", verbosity=0)
    if not (Path(args.data) / "static" / "staticfiles.json").exists():
        call_command("collectstatic", interactive=False, verbosity=0)
    started = time.monotonic()
    reseller = seed(customers=args.customers, members=args.members)
    print(f"bench data ready ({time.monotonic() - started:.0f} s)")
    client = Client(SERVER_NAME="localhost")
    client.force_login(User.objects.get(email=BENCH_USER))
    sub = Subscription.objects.filter(reseller=reseller).order_by("-created_at").first()

    def change_a_subscription():
        Subscription.objects.filter(pk=sub.pk).update(customer_can_manage=~F("customer_can_manage"))

    pages = {
        "dashboard": "/console/",
        "dashboard, changed": "/console/",
        "detail": f"/console/subscriptions/{sub.public_id}/",
        "customers": "/console/customers/",
        "acting-on search": "/console/acting-on/search?q=Kunde+12",
    }
    for name, path in pages.items():
        if client.get(path).status_code != 200:
            print(f"{name:18} {path}: not 200, skipped")
            continue
        timings = []
        for _ in range(args.repeat):
            if args.fresh_connection:
                connection.close()
            if name == "dashboard, changed":
                change_a_subscription()
            begin = time.perf_counter()
            client.get(path)
            timings.append((time.perf_counter() - begin) * 1000)
        if name == "dashboard, changed":
            change_a_subscription()
        with CaptureQueriesContext(connection) as captured:
            client.get(path)
        print(
            f"{name:18} median {statistics.median(timings):7.1f} ms  best {min(timings):7.1f} ms  "
            f"{len(captured):3d} queries"
        )
        if args.profile == name:
            profiler = cProfile.Profile()
            profiler.enable()
            for _ in range(5):
                client.get(path)
            profiler.disable()
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(40)
    return 0


if __name__ == "__main__":
    sys.exit(main())
