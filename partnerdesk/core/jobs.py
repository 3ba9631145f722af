"""Background jobs (huey): building a queue from the settings, running daily hooks.

The queue lives in a SQLite file in the data folder by default and on Redis when
``REDIS_URL`` is set (config/env.py ``huey_settings``). ``partnerdesk serve`` runs a
consumer in a child process; ``partnerdesk worker`` runs one on its own.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.utils.module_loading import autodiscover_modules, import_string
from huey import Huey, RedisHuey, SqliteHuey
from huey.storage import SqliteStorage
from huey.utils import load_class

from partnerdesk.core import clock

logger = logging.getLogger(__name__)


class _OncePerMinute:
    """Every ``partnerdesk worker`` runs the schedule, and each would queue a periodic job that is
    due: two workers, two billing runs at 02:00. The scheduler that claims the (job, minute) first
    in the shared cache (Redis with ``REDIS_URL``: an atomic SET NX with an expiry) queues it; the
    others skip it. The jobs stay idempotent for the rare case the claim is lost."""

    name: str

    def read_periodic(self, timestamp: datetime | None) -> list:
        timestamp = timestamp or self._get_timestamp()
        due = super().read_periodic(timestamp)
        minute = timestamp.strftime("%Y%m%d%H%M")
        return [task for task in due if cache.add(f"jobs:periodic:{self.name}:{task.name}:{minute}", 1, timeout=3600)]


class RedisQueue(_OncePerMinute, RedisHuey):
    """The queue on Redis; periodic jobs queued once per due minute by all workers together."""


class _SqliteStorage(SqliteStorage):
    """huey's SQLite storage without an fsync per enqueue (WAL, ``synchronous=NORMAL``).

    huey leaves SQLite at ``synchronous=FULL``: every job queued by a request (e-mail delivery,
    webhook sending, after the change commits) waited for the disk. Nothing is lost when a
    process crashes; a power cut can lose the last jobs queued, and every job queued by a request
    only hastens work kept in the main database (the outbox, webhook deliveries), which the
    every-minute jobs pick up anyway."""

    def _create_connection(self):
        conn = super()._create_connection()
        conn.execute("PRAGMA synchronous=NORMAL")
        return conn


class SqliteQueue(_OncePerMinute, SqliteHuey):
    """The queue in a SQLite file; periodic jobs queued once per due minute by all workers together."""

    storage_class = _SqliteStorage


def build_huey(config: dict) -> Huey:
    """A huey instance from a settings dict, the way huey's Django integration builds one."""
    config = dict(config)
    name = config.pop("name", "partnerdesk")
    backend = load_class(config.pop("huey_class", "partnerdesk.core.jobs.RedisQueue"))
    config.pop("consumer", None)
    config |= config.pop("connection", {})
    return backend(name, **config)


def discover_tasks() -> None:
    """Import every app's ``tasks`` module, so the consumer knows all jobs and schedules."""
    autodiscover_modules("tasks")


def consumer_options() -> dict:
    return dict(settings.HUEY.get("consumer", {}))


def run_daily_hook(setting: str) -> Any:
    """Call the function named by ``settings.<setting>`` with ``now`` (the sandbox clock
    when it is set). Other apps plug the billing run and trial reminders in this way."""
    path = getattr(settings, setting, "")
    if not path:
        logger.info("daily job %s: nothing configured (settings.%s is empty)", setting.lower(), setting)
        return None
    now = clock.now()
    result = import_string(path)(now=now)
    # Periodic jobs keep no result in the queue: the log is where an operator sees what ran.
    shown = json.dumps(result, sort_keys=True) if isinstance(result, dict) else repr(result)
    logger.info("daily job %s at %s finished: %s", setting.lower(), now.isoformat(), shown)
    return result
