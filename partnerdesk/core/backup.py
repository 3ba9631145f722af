"""Back up and restore the whole database.

SQLite: the online backup API, which copies a consistent snapshot while the app keeps
running. PostgreSQL: ``pg_dump --format=custom`` and ``pg_restore --clean``, which need the
PostgreSQL client tools on the PATH.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from django.db import connections

from partnerdesk.core.errors import DomainError


def _settings() -> dict:
    return connections["default"].settings_dict


def _pg_env_and_args(config: dict) -> tuple[dict, list[str]]:
    env = os.environ.copy()
    if config.get("PASSWORD"):
        env["PGPASSWORD"] = str(config["PASSWORD"])
    args = [
        "--host",
        str(config.get("HOST") or "127.0.0.1"),
        "--port",
        str(config.get("PORT") or 5432),
        "--username",
        str(config.get("USER") or "postgres"),
        "--dbname",
        str(config["NAME"]),
    ]
    return env, args


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise DomainError("invalid_request", f"{name} is not installed (Debian: postgresql-client).", "database")
    return path


def backup(output: Path) -> None:
    config = _settings()
    vendor = connections["default"].vendor
    if vendor == "sqlite":
        source = sqlite3.connect(config["NAME"])
        target = sqlite3.connect(output)
        try:
            with target:
                source.backup(target)
        finally:
            target.close()
            source.close()
    elif vendor == "postgresql":
        env, args = _pg_env_and_args(config)
        subprocess.run(
            [_tool("pg_dump"), "--format=custom", "--no-owner", "--file", str(output), *args],
            env=env,
            check=True,
            capture_output=True,
        )
    else:  # pragma: no cover
        raise DomainError("invalid_request", f"Backups of {vendor} are not supported.", "database")


def restore(source: Path) -> None:
    """Replace the whole database with the backup. Other processes should be stopped."""
    if not source.is_file():
        raise DomainError("invalid_request", f"No backup file at {source}.", "file")
    config = _settings()
    vendor = connections["default"].vendor
    connections.close_all()
    if vendor == "sqlite":
        backup_db = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        try:
            backup_db.execute("PRAGMA schema_version")
        except sqlite3.DatabaseError:
            backup_db.close()
            raise DomainError("invalid_request", f"{source} is not an SQLite backup.", "file") from None
        target = sqlite3.connect(config["NAME"])
        try:
            with target:
                backup_db.backup(target)
        finally:
            target.close()
            backup_db.close()
    elif vendor == "postgresql":
        env, args = _pg_env_and_args(config)
        result = subprocess.run(
            [_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--single-transaction", *args, str(source)],
            env=env,
            capture_output=True,
            text=True,
        )
        if result.returncode != 0:
            message = (result.stderr.strip().splitlines() or ["pg_restore failed"])[-1]
            raise DomainError("invalid_request", f"Restore failed: {message}", "file")
    else:  # pragma: no cover
        raise DomainError("invalid_request", f"Restores of {vendor} are not supported.", "database")
