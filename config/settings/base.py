"""Settings shared by every deployment. Values come from the environment (config/env.py)."""

from __future__ import annotations

import dj_database_url

from config import env
from config.settings.accounts import *  # noqa: F403
from config.settings.accounts import ACCOUNT_APPS
from config.settings.jobs import *  # noqa: F403

BASE_DIR = env.REPO_ROOT
DATA_DIR = env.data_dir()

SECRET_KEY = env.secret_key()
DEBUG = env.flag("PARTNERDESK_DEBUG")
BASE_URL = env.get("PARTNERDESK_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
ALLOWED_HOSTS = env.csv("PARTNERDESK_ALLOWED_HOSTS") or ["127.0.0.1", "localhost", "[::1]"]
CSRF_TRUSTED_ORIGINS = [BASE_URL] if BASE_URL.startswith("https://") else []

VENDOR_COUNTRY = env.get("PARTNERDESK_VENDOR_COUNTRY", "DE").upper()
SANDBOX = env.flag("PARTNERDESK_SANDBOX")
WEBHOOK_ALLOW_HOSTS = env.csv("PARTNERDESK_WEBHOOK_ALLOW_HOSTS")
REDIS_URL = env.get("REDIS_URL")
API_RATE = env.get("PARTNERDESK_API_RATE", "100/s")  # per API key

# CACHES (shared by all processes: Redis, else a file cache) are in settings/jobs.py.
# Card payments (billing/payments.py): Stripe's secret key; the API base is for tests and proxies.
STRIPE_SECRET_KEY = env.get("PARTNERDESK_STRIPE_SECRET_KEY")
STRIPE_API_BASE = env.get("PARTNERDESK_STRIPE_API_BASE", "https://api.stripe.com")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "ninja",
    "huey.contrib.djhuey",
    *ACCOUNT_APPS,
    "partnerdesk.core",
    "partnerdesk.accounts",
    "partnerdesk.catalog",
    "partnerdesk.customers",
    "partnerdesk.subscriptions",
    "partnerdesk.audit",
    "partnerdesk.notifications",
    "partnerdesk.invitations",
    "partnerdesk.billing",
    "partnerdesk.webhooks",
    "partnerdesk.revisions",
    "partnerdesk.web",
]

# Sessions, language, CSRF, sign-in and messages are Django's own, passed by for the API
# (core/middleware.py, accounts/middleware.py).
MIDDLEWARE = [
    "partnerdesk.core.requestid.RequestIdMiddleware",
    "partnerdesk.core.health.HealthCheckMiddleware",  # before anything that checks the Host header
    "partnerdesk.core.api.errors.ApiErrorShapeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "partnerdesk.core.middleware.SessionMiddleware",
    "partnerdesk.core.middleware.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "partnerdesk.core.middleware.CsrfViewMiddleware",
    "partnerdesk.core.api.idempotency.IdempotencyMiddleware",
    "partnerdesk.accounts.middleware.AuthenticationMiddleware",
    "partnerdesk.core.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "partnerdesk.web.middleware.ContentSecurityPolicyMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # The console's look for allauth's pages (sign-in, password reset, two-factor).
        "DIRS": [BASE_DIR / "partnerdesk" / "web" / "templates_allauth"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
            ],
        },
    },
]


def _database(url: str) -> dict:
    config = dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
    if config["ENGINE"] == "django.db.backends.postgresql":
        # Its health check of a kept connection reads the socket instead of a round trip, and
        # the statements written once in code (core/rows.py, core/bulk.py) are prepared on the
        # server after two runs on a connection (core/postgresql_backend): not planned again.
        # Behind PgBouncer in transaction mode, that needs its max_prepared_statements.
        config["ENGINE"] = "partnerdesk.core.postgresql_backend"
        config["OPTIONS"] = {"prepare_threshold": 2}
    if config["ENGINE"] == "django.db.backends.sqlite3":
        config["ENGINE"] = "partnerdesk.core.sqlite_backend"
        # Connections are kept (60 s, like PostgreSQL's): a new one costs its pragmas and
        # reading the schema again, about 1-2 ms, more than a whole API list request.
        # IMMEDIATE takes the write lock at BEGIN, so concurrent writers queue up
        # (core/sqlite_backend) instead of failing mid-transaction; WAL lets readers go on.
        # synchronous=FULL: each commit is on disk before anything is sent for it (an invoice
        # e-mail, a webhook); NORMAL would lose the last commits in a power cut while their
        # numbers were already out (README, "Durability on SQLite").
        config["OPTIONS"] = {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;",
        }
    return config


DATABASES = {"default": _database(env.database_url())}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("de", "Deutsch"), ("nl", "Nederlands")]
LOCALE_PATHS = [BASE_DIR / "partnerdesk" / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # WhiteNoise warns at start-up when it is missing
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Secure by default; HTTPS-only cookies and HSTS once the base URL is https.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
_HTTPS = BASE_URL.startswith("https://")
SESSION_COOKIE_SECURE = _HTTPS
CSRF_COOKIE_SECURE = _HTTPS
SECURE_HSTS_SECONDS = 31536000 if _HTTPS else 0
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if _HTTPS else None

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "partnerdesk.core.logs.RequestIdFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {"()": "partnerdesk.core.logs.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": "json" if env.get("PARTNERDESK_LOG_FORMAT") == "json" else "plain",
        }
    },
    "root": {"handlers": ["console"], "level": env.get("PARTNERDESK_LOG_LEVEL", "INFO")},
}
