"""The ``partnerdesk`` command (API.md, "Command line and configuration").

A bad argument or a failed command exits non-zero with one clear line on stderr.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence

EXIT_FAILED = 1
EXIT_USAGE = 2


class CliError(Exception):
    """A failed command: its message is the one line printed on stderr."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line instead of usage + error
        raise CliError(f"{self.prog}: {message} (see --help)")

    def exit(self, status: int = 0, message: str | None = None):
        if status:
            raise CliError((message or "").strip() or f"{self.prog}: failed")
        super().exit(status, message)


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")
    import django

    django.setup()


# Any constant shared by every partnerdesk process: the key of the PostgreSQL advisory lock
# that lets one process at a time apply migrations.
_MIGRATE_LOCK = 0x70645F6D6967  # "pd_mig"


def _migrate(verbosity: int = 0) -> None:
    """Apply pending migrations. On PostgreSQL, several machines starting at once (app and
    worker processes of a multi-machine deployment) take turns under an advisory lock:
    the first applies them, the others then find nothing to do. Without the lock two of
    them could both try to create the same table."""
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor != "postgresql":
        call_command("migrate", interactive=False, verbosity=verbosity)
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s)", [_MIGRATE_LOCK])
    try:
        call_command("migrate", interactive=False, verbosity=verbosity)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [_MIGRATE_LOCK])


def _at_least_one(text: str) -> int:
    value = int(text)
    if value < 1:
        raise ValueError(text)
    return value


_at_least_one.__name__ = "whole number of at least 1"  # argparse names the type in its error


# Commands ---------------------------------------------------------------------------------


def cmd_serve(args: argparse.Namespace) -> None:
    from partnerdesk import server

    if args.demo_if_empty:
        from partnerdesk import demo

        if demo.database_is_empty():
            demo.load(reset=False)
        if demo.is_loaded():
            print(demo.DemoSummary().summary(), flush=True)
    server.serve(host=args.host, port=args.port, workers=args.workers, threads=args.threads)


def cmd_worker(args: argparse.Namespace) -> None:
    """Run background jobs and schedules until SIGTERM / Ctrl+C (huey's consumer)."""
    from huey.contrib.djhuey import HUEY

    from partnerdesk.core.jobs import consumer_options, discover_tasks

    discover_tasks()
    options = consumer_options()
    if args.workers is not None:
        options["workers"] = args.workers
    print(f"partnerdesk worker: {type(HUEY.storage).__name__} queue, {options.get('workers', 1)} worker(s)", flush=True)
    HUEY.create_consumer(**options).run()


def cmd_demo(args: argparse.Namespace) -> None:
    from partnerdesk import demo

    print(demo.load(reset=args.reset).summary())


def cmd_reseller_create(args: argparse.Namespace) -> None:
    from partnerdesk.accounts.services import reseller_create
    from partnerdesk.core.actors import Actor

    reseller, membership = reseller_create(
        actor=Actor(tenant=Actor.system().tenant, label="cli"),
        name=args.name,
        country=args.country,
        admin_email=args.admin_email,
        vat_id=args.vat_id or "",
        discount=args.discount,
        parent_name=args.parent,
    )
    print(f"Created reseller {reseller.name} ({reseller.public_id}); owner {membership.user.email}")


def cmd_apikey_create(args: argparse.Namespace) -> None:
    from partnerdesk.accounts.selectors import reseller_get_by_name
    from partnerdesk.accounts.services import apikey_create
    from partnerdesk.core.actors import Actor

    actor = Actor(tenant=Actor.system().tenant, label="cli")
    if args.vendor:
        created = apikey_create(actor=actor, vendor=True, name=args.name)
    else:
        reseller = reseller_get_by_name(args.reseller)
        if reseller is None:
            raise CliError(f"partnerdesk apikey create: no reseller named '{args.reseller}'")
        created = apikey_create(actor=actor, reseller=reseller, name=args.name)
    print(created.secret)  # alone on stdout, so scripts can capture it


def cmd_apikey_list(args: argparse.Namespace) -> None:
    from partnerdesk.accounts.models import ApiKey

    keys = ApiKey.objects.select_related("reseller").order_by("created_at")
    if args.reseller:
        keys = keys.filter(reseller__name__iexact=args.reseller)
    for key in keys:
        scope = "vendor" if key.is_vendor else key.reseller.name
        used = key.last_used_at.isoformat() if key.last_used_at else "never"
        state = f"revoked {key.revoked_at:%Y-%m-%d}" if key.revoked_at else "active"
        print(f"{key.prefix}…\t{scope}\t{key.name or '-'}\tlast used {used}\t{state}")


def cmd_apikey_revoke(args: argparse.Namespace) -> None:
    from partnerdesk.accounts.models import ApiKey
    from partnerdesk.accounts.services import apikey_revoke
    from partnerdesk.core.actors import Actor

    matches = list(ApiKey.objects.filter(prefix=args.prefix.rstrip("…")))
    if len(matches) != 1:
        raise CliError(f"partnerdesk apikey revoke: {len(matches)} keys start with '{args.prefix}'")
    apikey_revoke(actor=Actor(tenant=Actor.system().tenant, label="cli"), api_key=matches[0])
    print(f"Revoked {matches[0].prefix}…")


def _reseller_actor(name: str, command: str):
    from partnerdesk.accounts.selectors import reseller_get_by_name
    from partnerdesk.core.actors import Actor, Tenant

    reseller = reseller_get_by_name(name)
    if reseller is None:
        raise CliError(f"partnerdesk {command}: no reseller named '{name}'")
    return Actor(tenant=Tenant.for_reseller(reseller), role="owner", label=f"cli {command}")


def cmd_import_customers(args: argparse.Namespace) -> None:
    from rich.progress import Progress

    from partnerdesk.customers.csvio import import_customers, read_rows

    actor = _reseller_actor(args.reseller, "import")
    try:
        with open(args.file, newline="", encoding="utf-8-sig") as handle:
            _header, rows = read_rows(handle)
    except OSError as error:
        raise CliError(f"partnerdesk import: cannot read {args.file}: {error.strerror}") from None
    except UnicodeDecodeError:
        raise CliError(f"partnerdesk import: {args.file} is not UTF-8 text") from None
    with Progress(transient=True, disable=not sys.stderr.isatty()) as progress:
        task = progress.add_task("Importing customers", total=len(rows))
        report = import_customers(actor=actor, rows=rows, progress=lambda: progress.advance(task))
    print(f"{report.created} created, {report.skipped} already there, {len(report.errors)} refused")
    for line, reason in report.errors:
        print(f"  line {line}: {reason}")
    if report.errors:
        raise CliError(f"partnerdesk import: {len(report.errors)} of {len(rows)} rows were refused (listed above)")


def cmd_export(args: argparse.Namespace) -> None:
    from partnerdesk.billing.csvio import export_invoices
    from partnerdesk.customers.csvio import export_customers
    from partnerdesk.subscriptions.csvio import export_subscriptions

    exporters = {"customers": export_customers, "subscriptions": export_subscriptions, "invoices": export_invoices}
    tenant = _reseller_actor(args.reseller, "export").tenant
    lines = exporters[args.what](tenant)
    if args.output:
        with open(args.output, "w", newline="", encoding="utf-8") as handle:
            handle.writelines(lines)
    else:
        sys.stdout.writelines(lines)


def cmd_backup(args: argparse.Namespace) -> None:
    from pathlib import Path

    from partnerdesk.core.backup import backup

    backup(Path(args.output))
    print(f"Backed up to {args.output}")


def cmd_restore(args: argparse.Namespace) -> None:
    from pathlib import Path

    from partnerdesk.core.backup import restore

    if not args.yes:
        raise CliError("partnerdesk restore: this replaces the whole database; add --yes to confirm")
    restore(Path(args.file))
    print(f"Restored from {args.file}")


def cmd_billing_run(args: argparse.Namespace) -> None:
    from partnerdesk.billing.run import billing_run

    counts = billing_run(now=args.now)
    summary = ", ".join(f"{name.replace('_', ' ')}: {count}" for name, count in sorted(counts.items())) or "nothing due"
    print(f"billing run: {summary}")
    if counts["errors"]:
        raise CliError(f"partnerdesk billing run: {counts['errors']} subscription(s) failed; see the log")


def _aware_datetime(value: str):
    """An ISO 8601 time; without a zone it is taken as UTC."""
    from datetime import UTC, datetime

    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{value}' is not an ISO 8601 time such as 2026-04-01T00:00:00Z") from None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def cmd_webhooks_deliver(args: argparse.Namespace) -> None:
    from partnerdesk.webhooks.delivery import deliver_due, deliver_loop

    if args.loop:
        import signal

        stopping: list[int] = []
        # SIGTERM (systemd, docker stop) ends the loop after the request in flight.
        signal.signal(signal.SIGTERM, lambda signum, frame: stopping.append(signum))
        deliver_loop(interval=args.interval, stop=lambda: bool(stopping))
        return
    total = 0
    while True:  # drain everything due now
        sent = deliver_due()
        total += sent
        if sent == 0:
            break
    print(f"{total} webhook deliveries attempted")


# Parser -----------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="partnerdesk", description="Reseller console and API for SaaS vendors.")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    commands.required = True

    serve = commands.add_parser("serve", help="apply migrations and serve the console and API")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument(
        "--workers",
        type=int,
        default=int(os.environ.get("PARTNERDESK_WEB_WORKERS", "2")),
        help="web server processes (default 2, or PARTNERDESK_WEB_WORKERS)",
    )
    serve.add_argument(
        "--threads",
        type=_at_least_one,
        default=os.environ.get("PARTNERDESK_WEB_THREADS", "4"),
        help="threads per web server process (default 4, or PARTNERDESK_WEB_THREADS); 1 runs gunicorn's "
        "sync workers, for behind a proxy that buffers whole requests (README: Speed)",
    )
    serve.add_argument(
        "--demo-if-empty", action="store_true", help="load the demo data first when the database has no vendor yet"
    )
    serve.set_defaults(handler=cmd_serve)

    worker = commands.add_parser("worker", help="run background jobs and schedules (for multi-process deployments)")
    worker.add_argument("--workers", type=int, default=None, help="job threads (default 2)")
    worker.set_defaults(handler=cmd_worker)

    demo = commands.add_parser("demo", help="load the demo catalog, resellers and customers; print logins")
    demo.add_argument("--reset", action="store_true", help="empty the database first")
    demo.set_defaults(handler=cmd_demo)

    reseller = commands.add_parser("reseller", help="manage resellers")
    reseller_cmds = reseller.add_subparsers(dest="reseller_command", metavar="ACTION", parser_class=_Parser)
    reseller_cmds.required = True
    create = reseller_cmds.add_parser("create", help="create a reseller and invite its admin")
    create.add_argument("--name", required=True)
    create.add_argument("--country", required=True, help="ISO country code, e.g. DE")
    create.add_argument("--admin-email", required=True)
    create.add_argument("--vat-id", default="")
    create.add_argument("--discount", default="0", help="reseller discount in percent, e.g. 15")
    create.add_argument("--parent", default=None, help="name of the distributor above this reseller")
    create.set_defaults(handler=cmd_reseller_create)

    apikey = commands.add_parser("apikey", help="manage API keys")
    apikey_cmds = apikey.add_subparsers(dest="apikey_command", metavar="ACTION", parser_class=_Parser)
    apikey_cmds.required = True
    key = apikey_cmds.add_parser("create", help="create an API key; prints the key alone on stdout")
    scope = key.add_mutually_exclusive_group(required=True)
    scope.add_argument("--reseller", metavar="NAME")
    scope.add_argument("--vendor", action="store_true")
    key.add_argument("--name", default="", help="a label to tell keys apart")
    key.set_defaults(handler=cmd_apikey_create)
    listing = apikey_cmds.add_parser("list", help="list API keys (prefix, scope, last use)")
    listing.add_argument("--reseller", metavar="NAME")
    listing.set_defaults(handler=cmd_apikey_list)
    revoke = apikey_cmds.add_parser("revoke", help="revoke an API key by its visible prefix")
    revoke.add_argument("prefix", help="the key's visible start, e.g. pd_AbCdEfGh")
    revoke.set_defaults(handler=cmd_apikey_revoke)
    importer = commands.add_parser("import", help="import data from CSV")
    import_cmds = importer.add_subparsers(dest="import_what", metavar="WHAT", parser_class=_Parser)
    import_cmds.required = True
    customers = import_cmds.add_parser(
        "customers",
        help="import customers (columns: company_name, country, contact_name, contact_email, "
        "domain, vat_id, address, language)",
    )
    customers.add_argument("file", metavar="FILE.csv")
    customers.add_argument("--reseller", required=True, metavar="NAME")
    customers.set_defaults(handler=cmd_import_customers)

    export = commands.add_parser("export", help="export CSV for one reseller")
    export.add_argument("what", choices=["customers", "subscriptions", "invoices"])
    export.add_argument("--reseller", required=True, metavar="NAME")
    export.add_argument("--output", metavar="FILE", help="write here instead of stdout")
    export.set_defaults(handler=cmd_export)

    backup = commands.add_parser("backup", help="back up the whole database to a file")
    backup.add_argument("--output", required=True, metavar="FILE")
    backup.set_defaults(handler=cmd_backup)
    restore = commands.add_parser("restore", help="replace the whole database with a backup")
    restore.add_argument("file", metavar="FILE")
    restore.add_argument("--yes", action="store_true", help="confirm replacing the database")
    restore.set_defaults(handler=cmd_restore)

    billing = commands.add_parser("billing", help="billing")
    billing_cmds = billing.add_subparsers(dest="billing_command", metavar="ACTION", parser_class=_Parser)
    billing_cmds.required = True
    run = billing_cmds.add_parser("run", help="convert ended trials, renew ended periods, remind and suspend overdue")
    run.add_argument("--now", type=_aware_datetime, default=None, help="the time to run at (default: the clock)")
    run.set_defaults(handler=cmd_billing_run)

    webhooks = commands.add_parser("webhooks", help="webhook deliveries")
    webhooks_cmds = webhooks.add_subparsers(dest="webhooks_command", metavar="ACTION", parser_class=_Parser)
    webhooks_cmds.required = True
    deliver = webhooks_cmds.add_parser("deliver", help="send the webhook deliveries that are due")
    deliver.add_argument("--loop", action="store_true", help="keep delivering until stopped")
    deliver.add_argument("--interval", type=float, default=1.0, help="seconds to wait when nothing is due")
    deliver.set_defaults(handler=cmd_webhooks_deliver)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
        _setup_django()
        _migrate()  # every command needs the current schema; a no-op when it is there
        handler: Callable[[argparse.Namespace], None] = args.handler
        handler(args)
    except CliError as error:
        print(str(error), file=sys.stderr)
        return EXIT_USAGE if "see --help" in str(error) else EXIT_FAILED
    except KeyboardInterrupt:
        return 130
    except Exception as error:
        from partnerdesk.core.errors import DomainError

        if isinstance(error, DomainError):
            param = f" ({error.param})" if error.param else ""
            print(f"partnerdesk: {error.message}{param}", file=sys.stderr)
        else:
            print(f"partnerdesk: {type(error).__name__}: {error}".splitlines()[0], file=sys.stderr)
        return EXIT_FAILED
    return 0


if __name__ == "__main__":
    sys.exit(main())
