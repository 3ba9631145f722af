"""Test settings: the same database engine as configured, a fast password hasher."""

import os

from config.settings.base import *  # noqa: F403
from config.settings.base import DATA_DIR, DATABASES

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

if "sqlite" in DATABASES["default"]["ENGINE"]:
    # A file, not :memory:, so tests with threads use real separate connections
    # and SQLite's real locking, as in production; one per test run, so two runs
    # (a developer's and CI's) never share it.
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / f"test-{os.getpid()}.sqlite3")}

from config import env  # noqa: E402

# Jobs run at once, in the calling thread (huey's immediate mode, in-memory storage);
# the Redis- and SQLite-backed queues have their own tests with a real consumer.
HUEY = env.huey_settings(redis_url="", data_dir=DATA_DIR, immediate=True)
CACHES["default"] = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}  # noqa: F405
# The rate limit's real store: keys are random, so test runs sharing the file never meet.
RATE_LIMIT_REDIS_URL = ""
RATE_LIMIT_FILE = DATA_DIR / "test-ratelimit.sqlite3"

# Tests send webhooks explicitly (deliver_due) and look at pending deliveries in between;
# the on-commit job has its own test (webhooks/tests/test_tasks.py).
WEBHOOKS_SEND_ON_COMMIT = False
