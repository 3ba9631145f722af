"""Sessions come from Redis when it is the cache (config/settings/jobs.py): a signed-in page
then runs no session query. With the default file cache they stay in the database."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid

import pytest
import redis
from django.db import connection
from django.test.utils import CaptureQueriesContext

TEST_REDIS_URL = os.environ.get("PARTNERDESK_TEST_REDIS_URL", "redis://127.0.0.1:6379/3")
PRINT_ENGINE = "import django; django.setup(); from django.conf import settings; print(settings.SESSION_ENGINE)"


@pytest.mark.parametrize(
    ("redis_url", "engine"),
    [("", "partnerdesk.accounts.sessions.db"), (TEST_REDIS_URL, "partnerdesk.accounts.sessions.cached_db")],
    ids=["file-cache", "redis"],
)
def test_the_session_engine_follows_the_cache(tmp_path, redis_url, engine):
    env = os.environ | {
        "PARTNERDESK_DATA_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "REDIS_URL": redis_url,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
    }
    out = subprocess.run([sys.executable, "-c", PRINT_ENGINE], env=env, capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == engine, out.stderr


@pytest.mark.redis
@pytest.mark.django_db
def test_with_redis_a_signed_in_page_reads_no_session_row(settings, client, reseller_and_user):
    try:
        server = redis.Redis.from_url(TEST_REDIS_URL, socket_connect_timeout=2)
        server.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip(f"Redis is not reachable at {TEST_REDIS_URL} (on CI this fails the run)")
    prefix = f"partnerdesk-test-{uuid.uuid4().hex}"  # never collides with another run's keys
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": TEST_REDIS_URL,
            "KEY_PREFIX": prefix,
        },
        "views": settings.CACHES["views"],
    }
    settings.SESSION_ENGINE = "partnerdesk.accounts.sessions.cached_db"
    try:
        client.force_login(reseller_and_user[1])
        client.get("/console/")
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/console/").status_code == 200
        assert not [q for q in captured if "django_session" in q["sql"]]
    finally:
        # Only this test's keys: cache.clear() would FLUSHDB a database other runs share.
        keys = list(server.scan_iter(match=f"{prefix}:*"))
        if keys:
            server.delete(*keys)
