"""`hlgrid.cache.bump_many`: the dashboards' version counters, bumped in one round trip to
Redis, with the same meaning on every backend and while Redis is down."""

import socket
import uuid

import pytest
from django.conf import settings

from hlgrid.cache import ResilientRedisCache, bump_many


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def check_bumps(backend):
    prefix = uuid.uuid4().hex
    seen, fresh = f"{prefix}:seen", f"{prefix}:fresh"
    backend.set(seen, 5, None)
    bump_many(backend, [seen, fresh], start=1000)
    # a counter that was there goes up by one; one that was not starts from `start`, never 1
    assert backend.get(seen) == 6
    assert backend.get(fresh) in (1000, 1001)
    before = backend.get(fresh)
    bump_many(backend, [fresh], start=1000)
    assert backend.get(fresh) == before + 1


def test_counters_are_bumped_on_a_plain_backend():
    from django.core.cache.backends.locmem import LocMemCache

    check_bumps(LocMemCache("bump-test", {}))


@pytest.mark.redis
def test_counters_are_bumped_in_redis_in_one_round_trip():
    check_bumps(ResilientRedisCache(settings.REDIS_URL, {"KEY_PREFIX": "bump-test"}))


@pytest.mark.redis
def test_the_redis_client_is_made_once_per_pool_not_per_operation():
    backend = ResilientRedisCache(settings.REDIS_URL, {"KEY_PREFIX": "client-test"})
    backend.set("k", "v")
    assert backend._cache.get_client(write=True) is backend._cache.get_client(write=True)
    assert backend.get("k") == "v"


def test_counters_are_bumped_in_the_fallback_while_redis_is_down():
    backend = ResilientRedisCache(f"redis://127.0.0.1:{_closed_port()}/0", {})
    check_bumps(backend)
