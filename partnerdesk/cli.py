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


def _migrate(verbosity: int = 0) -> None:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=verbosity)


# Commands ---------------------------------------------------------------------------------


def cmd_serve(args: argparse.Namespace) -> None:
    from partnerdesk import server

    if args.demo_if_empty:
        from partnerdesk import demo

        if demo.database_is_empty():
            demo.load(reset=False)
        if demo.is_loaded():
            print(demo.DemoSummary().summary(), flush=True)
    server.serve(host=args.host, port=args.port, workers=args.workers)


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

    billing = commands.add_parser("billing", help="billing")
    billing_cmds = billing.add_subparsers(dest="billing_command", metavar="ACTION", parser_class=_Parser)
    billing_cmds.required = True
    run = billing_cmds.add_parser("run", help="convert ended trials, renew ended periods, remind and suspend overdue")
    run.add_argument("--now", type=_aware_datetime, default=None, help="the time to run at (default: the clock)")
    run.set_defaults(handler=cmd_billing_run)
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
