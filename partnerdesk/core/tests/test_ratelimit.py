"""The per-key rate limit's stores: N at once, then one every P/N; shared by processes."""

from __future__ import annotations

import multiprocessing
import os
import uuid

import pytest
import redis

from partnerdesk.core import ratelimit
from partnerdesk.core.ratelimit import RedisStore, SqliteStore, rate_limit_take

TEST_REDIS_URL = os.environ.get("PARTNERDESK_TEST_REDIS_URL", "redis://127.0.0.1:6379/3")
T0 = 1_800_000_000_000_000  # microseconds since 1970: far beyond 2^32, as real clocks are
SECOND = 1_000_000


def redis_url() -> str:
    try:
        redis.Redis.from_url(TEST_REDIS_URL, socket_connect_timeout=2).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip(f"Redis is not reachable at {TEST_REDIS_URL} (on CI this fails the run)")
    return TEST_REDIS_URL


@pytest.fixture(params=["sqlite", pytest.param("redis", marks=pytest.mark.redis)])
def configured(request, settings, tmp_path):
    """The settings pointing at one store; a fresh key for each test."""
    settings.RATE_LIMIT_FILE = tmp_path / "ratelimit.sqlite3"
    settings.RATE_LIMIT_REDIS_URL = redis_url() if request.param == "redis" else ""
    return f"test-{uuid.uuid4().hex}"


def take(key: str, at_us: int, rate: tuple[int, int] = (5, 60)) -> ratelimit.Decision:
    return rate_limit_take(key=key, count=rate[0], period_seconds=rate[1], now_us=at_us)


def test_a_burst_of_n_then_one_every_period_over_n(configured):
    key = configured
    assert [take(key, T0).allowed for _ in range(5)] == [True] * 5
    refused = take(key, T0)
    assert refused == ratelimit.Decision(allowed=False, retry_after=12.0)  # 60 s / 5
    assert take(key, T0 + 11 * SECOND).allowed is False
    assert take(key, T0 + 12 * SECOND).allowed is True
    assert take(key, T0 + 12 * SECOND).allowed is False
    # A quiet period fills the bucket again, never beyond N.
    assert [take(key, T0 + 200 * SECOND).allowed for _ in range(6)] == [True] * 5 + [False]


def test_refusals_do_not_count(configured):
    key = configured
    for _ in range(5):
        take(key, T0)
    assert [take(key, T0 + SECOND).allowed for _ in range(10)] == [False] * 10
    assert take(key, T0 + 12 * SECOND).allowed is True


def test_keys_are_counted_apart(configured):
    key = configured
    assert [take(key, T0, (1, 1)).allowed for _ in range(2)] == [True, False]
    assert take(key + "-other", T0, (1, 1)).allowed is True


def test_the_store_follows_the_settings(settings, tmp_path):
    settings.RATE_LIMIT_REDIS_URL = ""
    settings.RATE_LIMIT_FILE = tmp_path / "a.sqlite3"
    assert isinstance(ratelimit.store(), SqliteStore)
    assert ratelimit.store().path == tmp_path / "a.sqlite3"
    conn = ratelimit.store()._connection()
    assert conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    assert conn.execute("PRAGMA synchronous").fetchone() == (1,)  # NORMAL: no fsync per request


@pytest.mark.redis
def test_redis_when_configured(settings):
    settings.RATE_LIMIT_REDIS_URL = redis_url()
    assert isinstance(ratelimit.store(), RedisStore)


def _take_many(path: str, key: str, n: int, queue) -> None:
    store = SqliteStore(path)
    queue.put(sum(store.take(key, interval=SECOND, period=100 * SECOND, now=T0) for _ in range(n)))


def test_processes_share_the_sqlite_file_and_never_both_take_the_last_request(tmp_path):
    """Four processes, 60 attempts each at once, against 100 per 100 s: exactly 100 pass. The
    file does not exist yet: creating it together (and switching it to WAL) must not fail."""
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    path = str(tmp_path / "shared.sqlite3")
    workers = [context.Process(target=_take_many, args=(path, "shared", 60, queue)) for _ in range(4)]
    for worker in workers:
        worker.start()
    allowed = sum(queue.get(timeout=60) for _ in workers)
    for worker in workers:
        worker.join(timeout=60)
    assert allowed == 100
