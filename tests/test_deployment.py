"""The multi-machine deployment of the README ("Deploying on several machines"), for real.

Two app processes (``partnerdesk serve --workers 1`` with ``PARTNERDESK_JOBS=external``, each
with its own data folder as on its own machine) and two ``partnerdesk worker`` processes share
one PostgreSQL database, one Redis queue and one SMTP server (aiosmtpd). All four start at once
on an empty database (they take turns applying migrations). Through both apps, alternately, as a
load balancer would, two resellers create subscriptions with customer admins and members; then
the billing run is put on the queue twice at the same moment (as two workers' schedules would at
02:00). Afterwards every e-mail has arrived exactly once, every due invoice was issued exactly
once with gapless numbers, and the worker logs show every job executed once, none missing.

It needs PostgreSQL and Redis: ``PARTNERDESK_TEST_POSTGRES_URL`` (or a PostgreSQL
``DATABASE_URL``) names the server, on which the test creates and drops a database of its own
(``<name>_deploy``), so it runs in the SQLite pass of the suite too; ``PARTNERDESK_TEST_REDIS_URL``
(default ``redis://127.0.0.1:6379/3``) the Redis database, where it uses a queue of its own.
Without them it is skipped, which fails CI (``.ci/run`` sets both).
"""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
import time
import urllib.request
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from contextlib import suppress
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import psycopg
import pytest
import redis
from huey import crontab

from config.env import huey_settings
from partnerdesk.core.jobs import build_huey
from partnerdesk.notifications.testing import SmtpServer, free_port, subject_of

REDIS_URL = os.environ.get("PARTNERDESK_TEST_REDIS_URL", "redis://127.0.0.1:6379/3")
T0 = datetime(2026, 3, 10, 9, 30, tzinfo=UTC)  # the sandbox day the subscriptions are created
T1 = T0 + timedelta(days=32)  # monthly periods and 14-day trials have ended
PER_RESELLER = 6  # subscriptions per reseller: half paid monthly, half on trial
MEMBERS = 2  # members added to each subscription
STARTUP = 180  # seconds for four processes to migrate and answer (2 shared cores)
WORK = 180  # seconds for the queue to drain

SEED = """
import json, django
django.setup()
from partnerdesk.accounts.models import Vendor
from partnerdesk.accounts.services import apikey_create, reseller_create
from partnerdesk.catalog.models import Plan, Product
from partnerdesk.core.actors import Actor
Vendor.objects.create(name="Cloudwerk Software GmbH", country="DE", vat_id="DE136695976",
                      iban="DE89370400440532013000", bic="COBADEFFXXX")
product = Product.objects.create(code="axcrypt-business", name="AxCrypt Business")
Plan.objects.create(product=product, code="axcrypt-monthly", name="Monthly", term_months=1, price_per_seat="12.00")
Plan.objects.create(product=product, code="axcrypt-trial", name="Trial", term_months=1, price_per_seat="12.00",
                    trial_days=14)
actor = Actor.system()
keys = {"vendor": apikey_create(actor=actor, vendor=True).secret}
for name, email in [("Isar Systemhaus GmbH", "owner@isar.example"), ("Polder IT B.V.", "owner@polder.example")]:
    reseller, _ = reseller_create(actor=actor, name=name, country="DE", admin_email=email, discount="20")
    keys[email] = apikey_create(actor=actor, reseller=reseller).secret
print(json.dumps(keys))
"""

# Put the daily billing run on the queue; print the job's id. (Periodic jobs keep no result in
# the queue; the worker logs what the run did.)
ENQUEUE_BILLING_RUN = """
import django
django.setup()
from partnerdesk.core.tasks import daily_billing_run
print(daily_billing_run().id)
"""


def _postgres_url() -> str:
    url = os.environ.get("PARTNERDESK_TEST_POSTGRES_URL", "")
    if not url and os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        url = os.environ["DATABASE_URL"]
    return url


def _unavailable(why: str):
    if os.environ.get("CI") == "true":
        pytest.fail(f"{why}: on CI the multi-process test must run")
    pytest.skip(why)


@pytest.fixture
def deploy_database():
    """A database of its own on the PostgreSQL server, created empty and dropped afterwards."""
    url = _postgres_url()
    if not url:
        _unavailable("no PostgreSQL: set PARTNERDESK_TEST_POSTGRES_URL (or DATABASE_URL) to a postgres:// URL")
    server, name = url.rsplit("/", 1)
    name = f"{name.split('?')[0] or 'partnerdesk'}_deploy"
    try:
        admin = psycopg.connect(f"{server}/postgres", autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as error:
        _unavailable(f"PostgreSQL is not reachable at {server}: {error}".splitlines()[0])
    with admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{server}/{name}"
    finally:
        with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def queue_name():
    """A queue (and lock namespace) of its own on the Redis database, emptied afterwards."""
    try:
        client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3)
        client.ping()
    except redis.exceptions.ConnectionError:
        _unavailable(f"Redis is not reachable at {REDIS_URL}")
    name = f"partnerdesk-deploy-{uuid.uuid4().hex[:12]}"
    try:
        yield name
    finally:
        keys = list(client.scan_iter(match=f"*{name}*"))
        if keys:
            client.delete(*keys)
        client.close()


@pytest.fixture
def smtp():
    server = SmtpServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()


class Processes:
    """Started processes, each in a session of its own (gunicorn's workers included), all
    stopped at the end: SIGTERM, then SIGKILL for whatever did not exit within 30 s."""

    def __init__(self, folder: Path, env: dict) -> None:
        self.folder = folder
        self.env = env
        self.started: dict[str, subprocess.Popen] = {}

    def start(self, name: str, *args: str, **env: str) -> subprocess.Popen:
        data_dir = self.folder / name  # each process its own data folder, as on its own machine
        data_dir.mkdir()
        log = (self.folder / f"{name}.log").open("w")
        process = subprocess.Popen(
            [sys.executable, "-m", "partnerdesk.cli", *args],
            env=self.env | {"PARTNERDESK_DATA_DIR": str(data_dir)} | env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        self.started[name] = process
        return process

    def log(self, name: str) -> str:
        return (self.folder / f"{name}.log").read_text(errors="replace")

    def logs(self) -> str:
        return "\n".join(f"---- {name}.log\n{self.log(name)[-3000:]}" for name in self.started)

    def stop(self, name: str, sig: int = signal.SIGTERM) -> int | None:
        process = self.started[name]
        with suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
        try:
            return process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            with suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            return process.wait(timeout=30)

    def stop_all(self) -> None:
        for name in self.started:
            self.stop(name)
        for process in self.started.values():  # gunicorn workers left behind by a killed master
            with suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)


def wait_for(condition, seconds: float, what: str, processes: Processes) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        dead = {name: p.returncode for name, p in processes.started.items() if p.poll() is not None}
        assert not dead, f"process(es) exited while waiting for {what}: {dead}\n{processes.logs()}"
        time.sleep(0.25)
    pytest.fail(f"timed out after {seconds:.0f} s waiting for {what}\n{processes.logs()}")


def ready(port: int) -> bool:
    """/readyz as a load balancer asks it: by the machine's address, not the public host name."""
    request = urllib.request.Request(f"http://127.0.0.1:{port}/readyz", headers={"Host": f"10.0.0.7:{port}"})
    try:
        return urllib.request.urlopen(request, timeout=2).status == 200
    except OSError:
        return False


def run_python(code: str, env: dict, tmp_path: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", code],
        env=env | {"PARTNERDESK_DATA_DIR": str(tmp_path / "scripts")},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def entries(log: str) -> list[dict]:
    """A process's JSON log lines (gunicorn's own lines are not JSON)."""
    return [json.loads(line) for line in log.splitlines() if line.startswith("{")]


def messages(log: str, starting: str = "") -> list[str]:
    return [entry["message"] for entry in entries(log) if entry["message"].startswith(starting)]


def executed(log: str) -> list[tuple[str, str]]:
    """(task name, task id) of every job a worker finished, from its JSON log lines."""
    done = []
    for message in messages(log):
        if message.endswith("s") and " executed in " in message:
            name, _, rest = message.partition(": ")
            done.append((name, rest.split(" ")[0]))
    return done


def test_each_due_periodic_job_is_queued_once_by_all_workers_together(tmp_path):
    name = f"once-{uuid.uuid4().hex}"
    queues = []
    for n in (1, 2):  # two workers' queues: the same name, each its own scheduler
        (tmp_path / str(n)).mkdir()
        queue = build_huey(huey_settings(redis_url="", data_dir=tmp_path / str(n), name=name))
        queue.periodic_task(crontab(hour="2", minute="0"), name="nightly")(lambda: None)
        queues.append(queue)
    at_two = datetime(2026, 3, 10, 2, 0, 17)  # noqa: DTZ001 - huey's schedule runs on naive UTC
    assert [len(queue.read_periodic(at_two)) for queue in queues] == [1, 0]
    assert [len(queue.read_periodic(at_two.replace(second=58))) for queue in queues] == [0, 0]
    assert [len(queue.read_periodic(at_two + timedelta(minutes=1))) for queue in queues] == [0, 0]  # not due
    next_night = at_two + timedelta(days=1)
    assert [len(queue.read_periodic(next_night)) for queue in reversed(queues)] == [1, 0]


@pytest.mark.parametrize("path", ["/healthz", "/readyz"])
def test_load_balancer_probes_are_answered_for_any_host(client, db, path):
    response = client.get(path, HTTP_HOST="10.0.0.7:8000")
    assert response.status_code == 200 and response["X-Request-ID"]
    assert client.head(path, HTTP_HOST="10.0.0.7:8000").status_code == 200
    assert client.get("/api/v1/products", HTTP_HOST="10.0.0.7:8000").status_code == 400  # the host check holds


def test_two_app_processes_and_two_workers_on_postgresql_and_redis(tmp_path, caplog, deploy_database, queue_name, smtp):
    (tmp_path / "scripts").mkdir()
    caplog.set_level(logging.WARNING, logger="httpx")  # a line per request would bury a failure
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PARTNERDESK_", "DJANGO_"))}
    env |= {
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DATABASE_URL": deploy_database,
        "REDIS_URL": REDIS_URL,
        "PARTNERDESK_QUEUE_NAME": queue_name,
        "EMAIL_URL": smtp.url,
        "PARTNERDESK_SECRET_KEY": "the-same-secret-on-every-machine-" + uuid.uuid4().hex,
        "PARTNERDESK_BASE_URL": "http://127.0.0.1:8000",
        "PARTNERDESK_JOBS": "external",
        "PARTNERDESK_SANDBOX": "1",
        "PARTNERDESK_LOG_FORMAT": "json",
        "PARTNERDESK_API_RATE": "1000/s",
    }
    ports = [free_port(), free_port()]
    processes = Processes(tmp_path, env)
    try:
        # All four at once on the empty database, as after a fresh deploy.
        for n, port in enumerate(ports, 1):
            processes.start(f"app{n}", "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "1")
        for n in (1, 2):
            processes.start(f"worker{n}", "worker")
        wait_for(lambda: all(ready(port) for port in ports), STARTUP, "both apps' /readyz", processes)
        wait_for(
            lambda: all("Huey consumer started" in processes.log(f"worker{n}") for n in (1, 2)),
            STARTUP,
            "both workers",
            processes,
        )

        seed = run_python(SEED, env, tmp_path)
        out, err = seed.communicate(timeout=120)
        assert seed.returncode == 0, err
        keys = json.loads(out)
        apps = [f"http://127.0.0.1:{port}/api/v1" for port in ports]

        def call(n: int, key: str, method: str, path: str, body: dict | None = None) -> dict:
            """Request number n goes to app n % 2: a round-robin load balancer."""
            response = httpx.request(
                method,
                apps[n % 2] + path,
                json=body,
                headers={"Authorization": f"Bearer {key}"},
                timeout=60,
            )
            assert response.status_code in (200, 201), response.text
            return response.json()

        call(0, keys["vendor"], "POST", "/sandbox/clock", {"now": T0.isoformat()})
        assert call(1, keys["vendor"], "GET", "/sandbox/clock")["now"].startswith("2026-03-10T09:30")

        def order(job: tuple[str, int]) -> str:
            owner, i = job
            tag = owner.split("@")[1].split(".")[0]
            subscription = call(
                i,
                keys[owner],
                "POST",
                "/subscriptions",
                {
                    "new_customer": {"company_name": f"{tag} Kunde {i} GmbH", "country": "DE"},
                    "plan": "axcrypt-trial" if i % 2 else "axcrypt-monthly",
                    "seats": MEMBERS + 1,
                    "customer_can_manage": True,
                    "customer_admin": {"name": f"Admin {i}", "email": f"admin{i}@{tag}-kunde.example"},
                },
            )
            for m in range(MEMBERS):
                call(
                    i + m + 1,
                    keys[owner],
                    "POST",
                    f"/subscriptions/{subscription['id']}/members",
                    {"email": f"member{m}@{tag}-kunde{i}.example"},
                )
            return subscription["id"]

        owners = ["owner@isar.example", "owner@polder.example"]
        with ThreadPoolExecutor(max_workers=4) as pool:
            orders = [(owner, i) for owner in owners for i in range(PER_RESELLER)]
            subscriptions = list(pool.map(order, orders))
        assert len(set(subscriptions)) == 2 * PER_RESELLER

        # Time passes; both "schedulers" fire the billing run at the same moment.
        call(0, keys["vendor"], "POST", "/sandbox/clock", {"now": T1.isoformat()})
        enqueued = [run_python(ENQUEUE_BILLING_RUN, env, tmp_path) for _ in range(2)]
        billing_jobs = []
        for process in enqueued:
            out, err = process.communicate(timeout=120)
            assert process.returncode == 0, err
            billing_jobs.append(out.strip())

        def billing_finished() -> bool:
            logs = processes.log("worker1") + processes.log("worker2")
            return all(f"{job} executed in" in logs or f"Task {job} not run" in logs for job in billing_jobs)

        wait_for(billing_finished, WORK, "both billing-run jobs", processes)

        with psycopg.connect(deploy_database, autocommit=True) as db:

            def outbox() -> list[tuple]:
                return db.execute('SELECT "to", subject, status FROM notifications_outboxemail').fetchall()

            def jobs_done() -> list[tuple[str, str]]:
                return executed(processes.log("worker1")) + executed(processes.log("worker2"))

            def drained() -> bool:
                rows = outbox()
                return all(row[2] == "sent" for row in rows) and len(smtp.inbox.messages) == len(rows)

            wait_for(drained, WORK, "every e-mail delivered", processes)
            invoices = db.execute("SELECT number, issued_at FROM billing_invoice ORDER BY number").fetchall()
            period_lines = db.execute(
                "SELECT s.public_id, l.period_start FROM billing_invoiceline l "
                "JOIN subscriptions_subscription s ON s.id = l.subscription_id WHERE l.charge = 'period'"
            ).fetchall()
            counter = db.execute("SELECT last FROM billing_invoicecounter WHERE year = 2026").fetchone()
            left_due = db.execute(
                "SELECT count(*) FROM subscriptions_subscription WHERE (status = 'trial' AND trial_ends_at <= %s) "
                "OR (status IN ('active', 'past_due', 'suspended') AND current_period_end <= %s)",
                [T1, T1],
            ).fetchone()[0]
            rows = outbox()

        # Stop the workers gently (they finish the job in hand) before reading their logs.
        for n in (1, 2):
            assert processes.stop(f"worker{n}", signal.SIGINT) == 0, processes.log(f"worker{n}")
        jobs = {n: executed(processes.log(f"worker{n}")) for n in (1, 2)}
    finally:
        processes.stop_all()

    # E-mail: one outbox row per e-mail, each delivered exactly once, all sent.
    delivered = Counter((m["To"], subject_of(m)) for m in smtp.inbox.messages)
    assert delivered == Counter((to, subject) for to, subject, _ in rows)
    assert set(delivered.values()) == {1}
    assert {status for _, _, status in rows} == {"sent"}
    expected = set(owners)
    for owner in owners:
        tag = owner.split("@")[1].split(".")[0]
        for i in range(PER_RESELLER):
            expected |= {f"admin{i}@{tag}-kunde.example"}
            expected |= {f"member{m}@{tag}-kunde{i}.example" for m in range(MEMBERS)}
    assert expected <= {to for to, _ in delivered}
    assert len(rows) >= len(expected) == 2 + 2 * PER_RESELLER * (1 + MEMBERS)

    # Billing: the first invoice of each paid subscription at creation, then at T1 one renewal
    # per paid subscription and one conversion per trial: every one once, nothing left due,
    # invoice numbers 1..N without a gap.
    paid, trials = PER_RESELLER, PER_RESELLER
    assert len(invoices) == 2 * paid + trials
    assert [number for number, _ in invoices] == [f"2026-{n:06d}" for n in range(1, len(invoices) + 1)]
    assert counter == (len(invoices),)
    assert len(period_lines) == len(set(period_lines)) == len(invoices)
    charges = Counter(sub for sub, _ in period_lines)
    for (_, i), subscription in zip(orders, subscriptions, strict=True):
        assert charges[subscription] == (1 if i % 2 else 2), subscription  # trial: 1; paid: 2
    assert left_due == 0

    # The billing run was put on the queue twice at once: one did the work, the other was
    # refused by the lock (or ran after it and found nothing due).
    logs = processes.log("worker1") + processes.log("worker2")
    runs = [json.loads(message.split(" finished: ", 1)[1]) for message in messages(logs, "daily job daily_billing_run")]
    locked = [job for job in billing_jobs if f"Task {job} not run, unable to acquire lock" in logs]
    assert len(runs) + len(locked) == 2, (runs, locked)
    assert {"invoices": paid + trials, "renewed": paid, "trials_converted": trials}.items() <= runs[0].items()
    assert all(run == {} for run in runs[1:]), runs

    # Jobs: each executed by exactly one worker, once; both workers did some; the apps'
    # e-mails went out through one job each, the billing run's through batch jobs (every
    # e-mail once, shown above); and both billing runs ran.
    every = jobs[1] + jobs[2]
    assert max(Counter(task_id for _, task_id in every).values()) == 1
    assert jobs[1] and jobs[2], jobs
    single = sum(name.endswith(".deliver_email") for name, _ in every)
    batches = sum(name.endswith(".deliver_emails") for name, _ in every)
    assert single >= len(expected) and batches >= 1, (single, batches)
    billing_runs = {task_id for name, task_id in every if name.endswith(".daily_billing_run")}
    assert billing_runs | set(locked) == set(billing_jobs)
    assert "Unhandled exception" not in processes.log("worker1") + processes.log("worker2")

    # Both workers run the schedule, yet each periodic job was queued once per due minute.
    queued = Counter(
        (entry["message"].split(": ")[0], entry["time"][:16])
        for n in (1, 2)
        for entry in entries(processes.log(f"worker{n}"))
        if entry["message"].startswith("Enqueueing periodic task ")
    )
    assert queued and max(queued.values()) == 1, queued
