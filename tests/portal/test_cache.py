"""The Redis cache backend that shares one Redis client per connection pool (portal/cache.py)."""

import threading

import pytest
from django.utils.module_loading import import_string

from portal.cache import SharedClientRedisCache
from tests.portal.test_startup import settings_for
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
    caches = settings_for({"CACHE_URL": "redis://127.0.0.1:6379/1"}, tmp_path)["CACHES"]
    assert caches["default"] == {
        "BACKEND": "portal.cache.SharedClientRedisCache",
        "LOCATION": "redis://127.0.0.1:6379/1",
    }
    assert import_string(caches["default"]["BACKEND"]) is SharedClientRedisCache
