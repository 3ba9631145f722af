"""``partnerdesk serve --threads``: what the choice between threads and sync workers means.

With threads (the default) a client that sends its request slowly holds one thread and the
process answers others meanwhile; with one thread (gunicorn's sync worker, the lower p99 under
load in bench/run.py) it holds the whole process, which is why that choice is for behind a
proxy that buffers whole requests (README: Speed)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from partnerdesk.notifications.testing import free_port


def _answers(url: str, timeout: float) -> bool:
    try:
        return urllib.request.urlopen(url, timeout=timeout).status == 200
    except OSError:
        return False


@pytest.mark.parametrize(("threads", "answered"), [("2", True), ("1", False)], ids=["threads", "sync"])
def test_a_slow_client_holds_a_thread_or_the_whole_process(tmp_path, threads, answered):
    env = {key: value for key, value in os.environ.items() if key not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}}
    env |= {"PARTNERDESK_DATA_DIR": str(tmp_path), "PARTNERDESK_JOBS": "external", "PARTNERDESK_LOG_LEVEL": "WARNING"}
    port = free_port()
    serve = subprocess.Popen(
        [sys.executable, "-m", "partnerdesk.cli", "serve", "--port", str(port), "--workers", "1", "--threads", threads],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    health = f"http://127.0.0.1:{port}/healthz"
    try:
        deadline = time.monotonic() + 120
        while not _answers(health, timeout=2):
            assert serve.poll() is None and time.monotonic() < deadline, "partnerdesk serve did not start"
            time.sleep(0.2)
        with socket.create_connection(("127.0.0.1", port)) as slow:
            slow.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n")  # and the rest never comes
            time.sleep(0.5)  # taken up by the server before the next request arrives
            assert _answers(health, timeout=3) is answered
        assert _answers(health, timeout=10)  # the slow client gone, the process answers again
    finally:
        os.killpg(serve.pid, signal.SIGTERM)
        serve.wait(timeout=30)
