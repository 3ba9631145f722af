"""The job queue with real storage and a real consumer: SQLite by default, Redis when
configured; the periodic jobs; ``partnerdesk worker`` delivering e-mail end to end."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from datetime import datetime

import pytest
import redis
from huey import RedisHuey, SqliteHuey
from huey.contrib.djhuey import HUEY

from config.env import huey_settings
from partnerdesk.core import clock
from partnerdesk.core.jobs import build_huey, discover_tasks
from partnerdesk.core.tasks import daily_billing_run, trial_ending_reminders
from partnerdesk.notifications.testing import links_in, subject_of

TEST_REDIS_URL = os.environ.get("PARTNERDESK_TEST_REDIS_URL", "redis://127.0.0.1:6379/3")
calls: list[datetime] = []


def record_daily_run(*, now: datetime) -> str:
    """A daily hook target, as the billing app will provide."""
    calls.append(now)
    return "ran"


def run_with_consumer(huey) -> int:
    """Enqueue a task and let a real consumer (worker threads, the scheduler) run it."""

    @huey.task()
    def add(a: int, b: int) -> int:
        return a + b

    handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
    consumer = huey.create_consumer(workers=2, worker_type="thread", periodic=False, initial_delay=0.05)
    consumer.start()
    try:
        return add(2, 3).get(blocking=True, timeout=30)
    finally:
        consumer.stop(graceful=True)
        for sig, handler in handlers.items():
            signal.signal(sig, handler)


def test_the_default_queue_is_a_sqlite_file_in_the_data_folder(tmp_path):
    huey = build_huey(huey_settings(redis_url="", data_dir=tmp_path))
    assert isinstance(huey, SqliteHuey)
    assert huey.storage.filename == str(tmp_path / "jobs.sqlite3")
    assert run_with_consumer(huey) == 5


def test_the_sqlite_queue_does_not_fsync_each_job(tmp_path):
    """WAL with synchronous=NORMAL (1): queuing a job from a request does not wait for the disk."""
    huey = build_huey(huey_settings(redis_url="", data_dir=tmp_path))
    with huey.storage.db() as cursor:
        assert cursor.execute("PRAGMA synchronous").fetchone() == (1,)
        assert cursor.execute("PRAGMA journal_mode").fetchone() == ("wal",)


@pytest.mark.redis
def test_the_redis_queue_runs_jobs_with_a_real_consumer():
    try:
        redis.Redis.from_url(TEST_REDIS_URL, socket_connect_timeout=2).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip(f"Redis is not reachable at {TEST_REDIS_URL} (on CI this fails the run)")
    config = huey_settings(redis_url=TEST_REDIS_URL, data_dir=None)
    config["name"] = f"partnerdesk-test-{uuid.uuid4().hex}"  # never collides with a real queue
    huey = build_huey(config)
    assert isinstance(huey, RedisHuey)
    try:
        assert run_with_consumer(huey) == 5
    finally:
        huey.storage.flush_all()


def test_the_periodic_jobs_and_their_schedules():
    def runs_at(task, hour: int, minute: int) -> bool:
        return task.validate_datetime(datetime(2026, 3, 10, hour, minute))  # noqa: DTZ001 - huey uses naive UTC

    discover_tasks()  # what `partnerdesk worker` does first
    periodic = {task.name: task for task in HUEY._registry.periodic_tasks}
    assert set(periodic) >= {
        "retry_outbox",
        "expire_invitations",
        "daily_billing_run",
        "trial_ending_reminders",
        "clear_expired_sessions",
    }
    assert [(h, m) for h in range(24) for m in range(60) if runs_at(periodic["clear_expired_sessions"], h, m)] == [
        (3, 30)
    ]
    assert all(runs_at(periodic["retry_outbox"], 9, m) for m in range(60))
    assert [m for m in range(60) if runs_at(periodic["expire_invitations"], 9, m)] == [0, 15, 30, 45]
    assert [(h, m) for h in range(24) for m in range(60) if runs_at(periodic["daily_billing_run"], h, m)] == [(2, 0)]
    assert [(h, m) for h in range(24) for m in range(60) if runs_at(periodic["trial_ending_reminders"], h, m)] == [
        (7, 0)
    ]


def test_a_daily_hook_gets_the_clocks_now(settings, db, now):
    settings.SANDBOX = True
    clock.set_sandbox_now(now)
    settings.DAILY_BILLING_RUN = f"{__name__}.record_daily_run"
    calls.clear()
    assert daily_billing_run.call_local() == "ran"
    assert calls == [now]


def test_an_unconfigured_hook_does_nothing(settings, caplog):
    settings.TRIAL_ENDING_REMINDERS = ""
    assert trial_ending_reminders.call_local() is None
    assert "nothing configured" in caplog.text


def test_reseller_create_on_the_command_line_and_a_worker_email_the_owner(tmp_path, smtp_server):
    """Two real processes on a fresh SQLite data folder: the CLI queues the invitation,
    ``partnerdesk worker`` delivers it to the SMTP server."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE", "PARTNERDESK_JOBS"}
    }
    env |= {"PARTNERDESK_DATA_DIR": str(tmp_path), "EMAIL_URL": smtp_server.url, "PARTNERDESK_LOG_LEVEL": "WARNING"}
    cli = [sys.executable, "-m", "partnerdesk.cli"]
    created = subprocess.run(
        [
            *cli,
            "reseller",
            "create",
            "--name",
            "Rhein IT GmbH",
            "--country",
            "DE",
            "--admin-email",
            "chef@rhein.example",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert created.returncode == 0, created.stderr
    assert smtp_server.inbox.messages == []  # queued, not sent: no worker yet
    worker = subprocess.Popen([*cli, "worker"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 90
        while not smtp_server.inbox.messages and time.monotonic() < deadline and worker.poll() is None:
            time.sleep(0.2)
        [message] = smtp_server.inbox.to("chef@rhein.example")
        assert subject_of(message) == "Join Rhein IT GmbH on partnerdesk"
        assert links_in(message, "http://127.0.0.1:8000/invitations/")
    finally:
        worker.send_signal(signal.SIGINT)
        output, _ = worker.communicate(timeout=60)
    assert worker.returncode == 0, output
    assert "SqliteStorage queue" in output


def _wait_for(check, seconds: float = 90) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.2)
    return False


def test_serve_runs_the_jobs_in_process(tmp_path, smtp_server):
    """``partnerdesk serve`` starts a consumer child: an e-mail queued by another process is
    delivered without any ``partnerdesk worker``; stopping serve stops the consumer too."""
    import urllib.request

    from partnerdesk.notifications.testing import free_port

    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE", "PARTNERDESK_JOBS"}
    }
    env |= {"PARTNERDESK_DATA_DIR": str(tmp_path), "EMAIL_URL": smtp_server.url, "PARTNERDESK_LOG_LEVEL": "WARNING"}
    cli = [sys.executable, "-m", "partnerdesk.cli"]
    port = free_port()
    serve = subprocess.Popen(
        [*cli, "serve", "--port", str(port), "--workers", "1"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )

    def healthy() -> bool:
        try:
            return urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2).status == 200
        except OSError:
            return False

    def group_gone() -> bool:
        try:
            os.killpg(serve.pid, 0)
        except ProcessLookupError:
            return True
        return False

    try:
        assert _wait_for(healthy), "serve did not answer"
        created = subprocess.run(
            [
                *cli,
                "reseller",
                "create",
                "--name",
                "Rhein IT GmbH",
                "--country",
                "DE",
                "--admin-email",
                "a@rhein.example",
            ],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert created.returncode == 0, created.stderr
        assert _wait_for(lambda: smtp_server.inbox.to("a@rhein.example"))
    finally:
        os.killpg(serve.pid, signal.SIGTERM)
        serve.wait(timeout=60)
    assert _wait_for(group_gone, 30), "the job consumer outlived serve"


def test_serve_starts_no_consumer_when_jobs_run_elsewhere(settings, capsys):
    from partnerdesk import server

    settings.JOBS_EXTERNAL = True
    assert server.start_job_consumer() is None
    assert "PARTNERDESK_JOBS=external" in capsys.readouterr().out
