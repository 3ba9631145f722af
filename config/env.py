"""Everything partnerdesk reads from the environment, in one place.

The README's configuration table lists the same variables; keep them in step.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


def get(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def flag(name: str, default: bool = False) -> bool:
    value = get(name)
    if not value:
        return default
    return value.lower() in {"1", "true", "yes", "on"}


def data_dir() -> Path:
    """The folder for the SQLite database, the generated secret key and static files."""
    path = Path(get("PARTNERDESK_DATA_DIR") or REPO_ROOT / "data")
    path.mkdir(parents=True, exist_ok=True)
    return path


def secret_key() -> str:
    """The given secret key, or one generated once and kept in the data folder.

    A key generated per process would log everyone out at each restart and break
    signed links between processes, so the generated one is persisted (mode 600).
    """
    given = get("PARTNERDESK_SECRET_KEY")
    if given:
        return given
    path = data_dir() / "secret_key"
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        key = secrets.token_urlsafe(50)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(key)
        return key
    except OSError as exc:  # pragma: no cover - unreadable data folder
        raise SystemExit(f"partnerdesk: cannot read secret key {path}: {exc}") from exc


def database_url() -> str:
    return get("DATABASE_URL") or f"sqlite:///{data_dir() / 'partnerdesk.sqlite3'}"


def csv(name: str) -> list[str]:
    return [part.strip() for part in get(name).split(",") if part.strip()]


def email_settings(url: str) -> dict:
    """Django's e-mail settings from ``EMAIL_URL``.

    ``smtp://host:port`` (plain, or STARTTLS with ``?tls=1``), ``smtps://user:pass@host:port``
    (TLS from the first byte). Empty: e-mails are written to the log instead of sent.
    """
    from urllib.parse import parse_qs, unquote, urlsplit

    if not url:
        return {"EMAIL_BACKEND": "partnerdesk.notifications.backends.LogEmailBackend"}
    parts = urlsplit(url)
    if parts.scheme not in {"smtp", "smtps"} or not parts.hostname:
        raise SystemExit(
            f"partnerdesk: EMAIL_URL must look like smtp://host:port or smtps://user:pass@host:port, not {url!r}"
        )
    query = parse_qs(parts.query)
    starttls = parts.scheme == "smtp" and query.get("tls", ["0"])[0].lower() in {"1", "true", "yes"}
    return {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": parts.hostname,
        "EMAIL_PORT": parts.port or (465 if parts.scheme == "smtps" else 25),
        "EMAIL_HOST_USER": unquote(parts.username or ""),
        "EMAIL_HOST_PASSWORD": unquote(parts.password or ""),
        "EMAIL_USE_SSL": parts.scheme == "smtps",
        "EMAIL_USE_TLS": starttls,
        "EMAIL_TIMEOUT": 20,
    }


def huey_settings(*, redis_url: str, data_dir: Path, immediate: bool = False) -> dict:
    """The job queue: Redis when ``REDIS_URL`` is set, else a SQLite file in the data folder."""
    config: dict = {
        "name": "partnerdesk",
        "immediate": immediate,
        "utc": True,
        "consumer": {"workers": 2, "worker_type": "thread", "periodic": True, "check_worker_health": True},
    }
    if redis_url:
        config |= {"huey_class": "huey.RedisHuey", "connection": {"url": redis_url}}
    else:
        config |= {"huey_class": "huey.SqliteHuey", "filename": str(data_dir / "jobs.sqlite3")}
    return config
