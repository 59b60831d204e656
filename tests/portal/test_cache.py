"""The Redis cache backend that shares one Redis client per connection pool (portal/cache.py)."""

import subprocess
import sys
import threading
from pathlib import Path

import pytest

from portal.cache import SharedClientRedisCache
from tests.workers import require_services

pytestmark = pytest.mark.postgresql  # needs the Redis that `make test` starts


@pytest.fixture
def redis_cache():
    cache = SharedClientRedisCache(require_services(), {"KEY_PREFIX": "test-cache"})
    yield cache
    cache.clear()


def test_every_cache_call_reuses_one_redis_client_instead_of_building_one_each_time(redis_cache):
    redis_cache.set("a", 1)
    client = redis_cache._cache.get_client()
    assert redis_cache._cache.get_client(write=True) is client
    redis_cache.get_many(["a", "b"])
    assert redis_cache._cache.get_client("a") is client


def test_the_shared_client_reads_and_writes_like_djangos_own(redis_cache):
    redis_cache.set("entry", {"stamp": [1, 2], "body": {"customer_id": "x"}}, 30)
    assert redis_cache.get_many(["entry", "missing"]) == {"entry": {"stamp": [1, 2], "body": {"customer_id": "x"}}}
    assert redis_cache.add("counter", 5, None) is True
    assert redis_cache.add("counter", 9, None) is False
    assert redis_cache.incr("counter") == 6
    redis_cache.delete("entry")
    assert redis_cache.get("entry") is None


def test_threads_sharing_the_client_lose_no_write(redis_cache):
    redis_cache.set("hits", 0, None)

    def hit() -> None:
        for _ in range(200):
            redis_cache.incr("hits")

    threads = [threading.Thread(target=hit) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert redis_cache.get("hits") == 1600


def test_a_redis_cache_url_selects_the_shared_client_backend(tmp_path):
    code = "from django.conf import settings; print(settings.CACHES['default']['BACKEND'])"
    env = {"CACHE_URL": "redis://127.0.0.1:6379/1", "DJANGO_SETTINGS_MODULE": "portal.settings", "PATH": "/usr/bin"}
    out = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        env={**env, "PORTAL_DATA_DIR": str(tmp_path)},
        cwd=Path(__file__).resolve().parents[2],
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == "portal.cache.SharedClientRedisCache"
