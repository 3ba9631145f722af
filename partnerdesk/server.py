"""``partnerdesk serve``: gunicorn serving the WSGI app, static files through WhiteNoise,
and a job consumer in a child process unless ``PARTNERDESK_JOBS=external``."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

from django.conf import settings
from django.core.management import call_command
from gunicorn.app.base import BaseApplication


class _Gunicorn(BaseApplication):
    def __init__(self, options: dict) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        from config.wsgi import application

        return application


def start_job_consumer() -> subprocess.Popen | None:
    """``partnerdesk worker`` as a child process, unless workers run separately."""
    if settings.JOBS_EXTERNAL:
        print("partnerdesk: background jobs run in separate workers (PARTNERDESK_JOBS=external)", flush=True)
        return None
    return subprocess.Popen([sys.executable, "-m", "partnerdesk.cli", "worker"], env=os.environ.copy())


def stop_job_consumer(child: subprocess.Popen | None) -> None:
    if child is None or child.poll() is not None:
        return
    child.send_signal(signal.SIGINT)  # huey's consumer lets running jobs finish on SIGINT
    try:
        child.wait(timeout=15)
    except subprocess.TimeoutExpired:
        child.kill()
        child.wait()


def serve(*, host: str, port: int, workers: int, threads: int) -> None:
    call_command("collectstatic", interactive=False, verbosity=0)
    print(f"partnerdesk is serving on http://{host}:{port}/ (Ctrl+C to stop)", flush=True)
    consumer = start_job_consumer()
    master = os.getpid()
    try:
        _run_gunicorn(host=host, port=port, workers=workers, threads=threads)
    finally:
        # gunicorn's forked web workers unwind through here too when they exit; only the
        # master owns (and stops) the job consumer.
        if os.getpid() == master:
            stop_job_consumer(consumer)


def _run_gunicorn(*, host: str, port: int, workers: int, threads: int) -> None:
    # Threads by default: a slow client (no buffering proxy in front) then holds one thread,
    # not a whole process. One thread is gunicorn's sync worker: a lower p99 under load
    # (bench/run.py --threads), for behind a proxy that buffers whole requests.
    _Gunicorn(
        {
            "bind": f"{host}:{port}",
            "workers": max(1, workers),
            "threads": threads,
            "accesslog": "-",
            "errorlog": "-",
            "timeout": 60,
            "graceful_timeout": 10,
        }
    ).run()
