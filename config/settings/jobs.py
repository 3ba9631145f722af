"""E-mail, background jobs and the shared cache (rate limits must be shared by all processes)."""

from __future__ import annotations

from config import env

_DATA_DIR = env.data_dir()
_REDIS_URL = env.get("REDIS_URL")

globals().update(env.email_settings(env.get("EMAIL_URL")))
DEFAULT_FROM_EMAIL = env.get("PARTNERDESK_FROM_EMAIL") or "partnerdesk <noreply@localhost>"
SERVER_EMAIL = DEFAULT_FROM_EMAIL

HUEY = env.huey_settings(redis_url=_REDIS_URL, data_dir=_DATA_DIR, name=env.get("PARTNERDESK_QUEUE_NAME"))
# serve starts a consumer in a child process unless jobs run in separate `partnerdesk worker`s.
JOBS_EXTERNAL = env.get("PARTNERDESK_JOBS").lower() == "external"

INVITATION_DAYS = int(env.get("PARTNERDESK_INVITATION_DAYS") or 7)
# Dotted paths of the daily jobs other apps provide (the billing run, trial-ending reminders);
# each is called with ``now``. Empty: the periodic task logs that nothing is configured.
DAILY_BILLING_RUN = "partnerdesk.billing.run.billing_run"
TRIAL_ENDING_REMINDERS = "partnerdesk.billing.trials.trial_ending_reminders"
# Subscriptions per transaction in the billing run (billing/run.py). Bigger batches write
# each index page once for many rows and fsync less often (500: 1,900 invoices/s on the bench
# machine; 2,000: 2,800/s); on SQLite other writers wait for a batch, under a second.
BILLING_RUN_BATCH = int(env.get("PARTNERDESK_BILLING_BATCH") or 2000)
# A transaction that created webhook deliveries enqueues a job to send them when it commits
# (webhooks/events.py); the every-minute job sends them anyway.
WEBHOOKS_SEND_ON_COMMIT = True

# The API's per-key rate limit (core/ratelimit.py): on Redis when set, else in a small SQLite
# file of its own that every process on this machine shares.
RATE_LIMIT_REDIS_URL = _REDIS_URL
RATE_LIMIT_FILE = _DATA_DIR / "ratelimit.sqlite3"

if _REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": _REDIS_URL}}
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(_DATA_DIR / "cache"),
        }
    }
# Sessions in the database, read with the signed-in user, memberships and revision numbers in
# one statement (accounts/sessions/db.py): from Redis, the session alone would be a round trip.
SESSION_ENGINE = "partnerdesk.accounts.sessions.db"
