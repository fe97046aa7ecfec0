"""The shared cache on Redis (project/cache.py): Django's backend, with one client per connection pool."""

from __future__ import annotations

import os

import pytest

from project.cache import RedisCache


@pytest.mark.broker
def test_the_redis_cache_makes_its_client_once_and_still_reads_and_writes() -> None:
    """Django's backend made a new redis.Redis for every operation (0.25 ms each, five on every signed-in page)."""
    cache = RedisCache(os.environ["REDIS_URL"], {"KEY_PREFIX": "test-cache-client"})
    client = cache._cache.get_client("a", write=True)
    assert cache._cache.get_client("b") is client

    cache.set("held", {"province": "เชียงใหม่"}, 30)
    assert cache.get("held") == {"province": "เชียงใหม่"}
    assert cache.add("held", "other", 30) is False
    cache.delete("held")
    assert cache.get("held") is None
