"""Background jobs (huey): building a queue from the settings, running daily hooks.

The queue lives in a SQLite file in the data folder by default and on Redis when
``REDIS_URL`` is set (config/env.py ``huey_settings``). ``partnerdesk serve`` runs a
consumer in a child process; ``partnerdesk worker`` runs one on its own.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.utils.module_loading import autodiscover_modules, import_string
from huey import Huey
from huey.utils import load_class

from partnerdesk.core import clock

logger = logging.getLogger(__name__)


def build_huey(config: dict) -> Huey:
    """A huey instance from a settings dict, the way huey's Django integration builds one."""
    config = dict(config)
    name = config.pop("name", "partnerdesk")
    backend = load_class(config.pop("huey_class", "huey.RedisHuey"))
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
    return import_string(path)(now=clock.now())
