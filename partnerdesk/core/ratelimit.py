"""The per-key API rate limit, shared by every app process: one number per key, one atomic step.

The algorithm is GCRA (a token bucket kept as one "theoretical arrival time" per key): a rate
of N per P seconds lets a key make N requests at once, then one more every P/N seconds; a
refused request is told when the next one will be allowed. Each check is a single atomic
operation on that one number, so two processes never both take the last request.

Where the numbers live:
- with ``REDIS_URL``: in Redis (one Lua script call), shared by every app machine;
- else in ``ratelimit.sqlite3`` in the data folder (one UPSERT), shared by the processes of
  the one machine. Not the main database: each check is a write, and a write there would
  queue behind every business transaction. Commits are not fsynced (WAL, ``synchronous=NORMAL``):
  a crashed process loses nothing, a power cut at most the last counts, which only gives a key
  a full bucket again.
Django's file-based cache, used before, was several syscalls and a rename per request, and its
read-then-write of the request history let two processes count one request each over the
other's.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings


@dataclass(frozen=True)
class Decision:
    allowed: bool
    retry_after: float = 0.0  # seconds until a request of this key would be allowed


def _now_us() -> int:
    return time.time_ns() // 1000


class SqliteStore:
    """The arrival times in a small SQLite file; one connection per thread and process."""

    _UPSERT = (
        "INSERT INTO rate_limit (key, tat) VALUES (:key, :now + :interval) "
        "ON CONFLICT (key) DO UPDATE SET tat = max(tat, :now) + :interval "
        "WHERE max(tat, :now) + :interval - :now <= :period "
        "RETURNING tat"
    )

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._local = threading.local()

    def _connection(self) -> sqlite3.Connection:
        local = self._local
        # A forked process (gunicorn worker) must not share its parent's connection.
        if getattr(local, "pid", None) != os.getpid():
            conn = sqlite3.connect(self.path, timeout=10, isolation_level=None, check_same_thread=True)
            self._set_up(conn)
            local.conn, local.pid = conn, os.getpid()
        return local.conn

    @staticmethod
    def _set_up(conn: sqlite3.Connection) -> None:
        # Two workers' first requests may create the file together: switching a new file to
        # WAL can fail at once with "locked" (no busy wait for it), so it is tried again.
        deadline = time.monotonic() + 10
        while True:
            try:
                conn.execute("PRAGMA journal_mode=WAL")
                break
            except sqlite3.OperationalError as error:
                if "locked" not in str(error) or time.monotonic() > deadline:
                    raise
                time.sleep(0.01)
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("CREATE TABLE IF NOT EXISTS rate_limit (key TEXT PRIMARY KEY, tat INTEGER NOT NULL)")

    def take(self, key: str, *, interval: int, period: int, now: int) -> bool:
        params = {"key": key, "now": now, "interval": interval, "period": period}
        # fetchall: the statement must run to its end, which is what commits it.
        return bool(self._connection().execute(self._UPSERT, params).fetchall())

    def arrival(self, key: str) -> int:
        row = self._connection().execute("SELECT tat FROM rate_limit WHERE key = ?", [key]).fetchone()
        return row[0] if row else 0


class RedisStore:
    """The arrival times in Redis; the script runs atomically on the server."""

    # Microseconds since 1970 stay exact in Lua's doubles (< 2^53); %d keeps them out of
    # Lua's default "1.79e+15" formatting. The key expires once it no longer limits anything.
    _SCRIPT = """
    local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
    local now, interval, period = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
    local new = math.max(tat, now) + interval
    if new - now > period then return 0 end
    redis.call('SET', KEYS[1], string.format('%d', new), 'PX', math.ceil((new - now) / 1000) + 1000)
    return 1
    """

    def __init__(self, url: str) -> None:
        import redis

        self.client = redis.Redis.from_url(url)
        self.script = self.client.register_script(self._SCRIPT)

    def take(self, key: str, *, interval: int, period: int, now: int) -> bool:
        return bool(self.script(keys=[f"partnerdesk:ratelimit:{key}"], args=[now, interval, period]))

    def arrival(self, key: str) -> int:
        value = self.client.get(f"partnerdesk:ratelimit:{key}")
        return int(value) if value else 0


_stores: dict[str, SqliteStore | RedisStore] = {}
_stores_lock = threading.Lock()


def store() -> SqliteStore | RedisStore:
    """The store the settings name (``RATE_LIMIT_REDIS_URL``, else ``RATE_LIMIT_FILE``),
    built once per process: the Redis client keeps a pool, the SQLite file one connection a thread."""
    name = settings.RATE_LIMIT_REDIS_URL or f"file:{settings.RATE_LIMIT_FILE}"
    found = _stores.get(name)
    if found is None:
        with _stores_lock:
            found = _stores.get(name)
            if found is None:
                if settings.RATE_LIMIT_REDIS_URL:
                    found = RedisStore(settings.RATE_LIMIT_REDIS_URL)
                else:
                    found = SqliteStore(settings.RATE_LIMIT_FILE)
                _stores[name] = found
    return found


def rate_limit_take(*, key: str, count: int, period_seconds: int, now_us: int | None = None) -> Decision:
    """Count one request of ``key`` against ``count`` per ``period_seconds``."""
    now = _now_us() if now_us is None else now_us
    period = period_seconds * 1_000_000
    interval = period // count
    target = store()
    if target.take(key, interval=interval, period=period, now=now):
        return Decision(allowed=True)
    # Allowed again once the arrival time has come within one period of the clock.
    wait = target.arrival(key) + interval - period - now
    return Decision(allowed=False, retry_after=max(wait, 0) / 1_000_000)
