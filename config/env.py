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
