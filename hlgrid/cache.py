"""The production cache: Django's Redis cache, which degrades instead of failing requests.

Everything that reads the cache (the public rate limiter, the token throttle, the dashboards'
figures) must keep working while Redis is down: a resident's report is taken, a dashboard is
computed instead of read. So this backend, not each caller, handles the outage: on a
connection error or a timeout it stops asking Redis for RETRY_AFTER seconds, during which every
operation goes to a per-process memory cache (so a rate limit still holds, per process, and
figures are still reused within a process), then tries Redis again. The outage is logged
once per interval through `hlgrid.outages`, and `/healthz` reports it (`probe`).

Configured in settings as the default cache when REDIS_URL is set:
``{"BACKEND": "hlgrid.cache.ResilientRedisCache", "LOCATION": REDIS_URL}``; OPTIONS may set
RETRY_AFTER (seconds, default 15) and FALLBACK_MAX_ENTRIES (default 2000) besides redis-py's
own pool options.
"""

import uuid

from django.core.cache.backends.base import DEFAULT_TIMEOUT, BaseCache
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from hlgrid import outages

SERVICE = "cache (Redis)"
CONSEQUENCE = "using a per-process memory cache"
# What an unreachable Redis raises; anything else (a bad value, a wrong type) is a bug and
# must still surface.
UNREACHABLE = (RedisConnectionError, RedisTimeoutError, OSError)


class PooledClientRedisCacheClient(RedisCacheClient):
    """Django's Redis client, keeping one redis.Redis per connection pool instead of making
    one per operation (each builds its table of ~170 response callbacks: about 0.3 ms, three
    times per public report). A redis.Redis is safe to share between threads; its pool hands
    each command a connection."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients: dict[int, object] = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class ResilientRedisCache(RedisCache):
    def __init__(self, server, params):
        options = dict(params.get("OPTIONS") or {})
        self.retry_after = float(options.pop("RETRY_AFTER", 15))
        fallback_entries = int(options.pop("FALLBACK_MAX_ENTRIES", 2000))
        # Fail fast rather than hold a request on a Redis that does not answer; one immediate
        # retry replaces a pooled connection that a Redis restart closed.
        options.setdefault("socket_connect_timeout", 1)
        options.setdefault("socket_timeout", 2)
        options.setdefault("retry_on_error", [RedisConnectionError])
        super().__init__(server, {**params, "OPTIONS": options})
        self._class = PooledClientRedisCacheClient
        location = server if isinstance(server, str) else ",".join(server)
        self._fallback = LocMemCache(
            f"hlgrid-cache-fallback:{location}",
            {
                "TIMEOUT": params.get("TIMEOUT", 300),
                "KEY_PREFIX": params.get("KEY_PREFIX", ""),
                "VERSION": params.get("VERSION", 1),
                "OPTIONS": {"MAX_ENTRIES": fallback_entries},
            },
        )

    # --- the circuit (per process, in hlgrid.outages) ------------------------------------------
    def _trip(self, exc: BaseException) -> None:
        outages.report_failure(SERVICE, exc, consequence=CONSEQUENCE, retry_after=self.retry_after)

    def _reset(self) -> None:
        if outages.report_recovery(SERVICE):
            # What was written during the outage is not in Redis; do not serve it next time.
            self._fallback.clear()

    def _run(self, name: str, *args, **kwargs):
        if outages.available(SERVICE):
            try:
                result = getattr(RedisCache, name)(self, *args, **kwargs)
            except UNREACHABLE as exc:
                self._trip(exc)
            else:
                self._reset()
                return result
        return getattr(self._fallback, name)(*args, **kwargs)

    @property
    def shared(self) -> bool:
        """Whether what is written here is seen by the other processes (False while the
        per-process fallback stands in for Redis): grids.versions keeps nothing while not."""
        return outages.available(SERVICE)

    def ping(self) -> None:
        """Ask Redis itself (never the fallback); raise if it does not answer. A success closes
        the circuit at once, so /healthz also ends a degraded period early."""
        try:
            self._cache.get_client(None, write=True).ping()
        except UNREACHABLE as exc:
            self._trip(exc)
            raise
        self._reset()

    # --- Django's cache API, every operation through the circuit --------------------------------
    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._run("add", key, value, timeout, version)

    def get(self, key, default=None, version=None):
        return self._run("get", key, default, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._run("set", key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._run("touch", key, timeout, version)

    def delete(self, key, version=None):
        return self._run("delete", key, version)

    def get_many(self, keys, version=None):
        return self._run("get_many", list(keys), version)

    def has_key(self, key, version=None):
        return self._run("has_key", key, version)

    def incr(self, key, delta=1, version=None):
        return self._run("incr", key, delta, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._run("set_many", data, timeout, version)

    def delete_many(self, keys, version=None):
        return self._run("delete_many", list(keys), version)

    def clear(self):
        return self._run("clear")

    def bump_many(self, keys, *, start: int, version=None) -> None:
        """See `bump_many` below: here one round trip (a pipeline of SET NX and INCR per key)."""
        keys = list(keys)
        if outages.available(SERVICE):
            try:
                pipe = self._cache.get_client(None, write=True).pipeline(transaction=False)
                for key in keys:
                    full = self.make_and_validate_key(key, version=version)
                    pipe.set(full, start, nx=True)
                    pipe.incr(full)
                pipe.execute()
            except UNREACHABLE as exc:
                self._trip(exc)
            else:
                self._reset()
                return
        _bump_each(self._fallback, keys, start=start, version=version)


def _bump_each(backend: BaseCache, keys, *, start: int, version=None) -> None:
    for key in keys:
        try:
            backend.incr(key, version=version)
        except ValueError:  # not there yet (or expired)
            backend.set(key, start, None, version=version)


def bump_many(backend: BaseCache, keys, *, start: int, version=None) -> None:
    """Add one to each counter of `keys`; one that is not there (never set, expired, evicted)
    starts at `start` (so a caller that keys entries by the counter passes a value never used
    before, e.g. the time in ms). Kept without expiry. On Redis one round trip for all keys."""
    own = getattr(backend, "bump_many", None)
    if own is not None:
        own(keys, start=start, version=version)
    else:
        _bump_each(backend, keys, start=start, version=version)


def probe(backend: BaseCache) -> dict:
    """The cache's state for /healthz: a Redis ping, or a write and read for other backends."""
    name = type(backend).__name__
    try:
        if isinstance(backend, RedisCache):
            ping = getattr(backend, "ping", None) or (
                lambda: backend._cache.get_client(None, write=True).ping()
            )
            ping()
        else:
            token = uuid.uuid4().hex
            backend.set("hlgrid:healthz", token, 10)
            if backend.get("hlgrid:healthz") != token:
                return {"ok": False, "backend": name, "error": "a value written was not read back"}
    except Exception as exc:  # noqa: BLE001 - any failure means unhealthy
        result = {"ok": False, "backend": name, "error": f"{type(exc).__name__}: {exc}"}
        if isinstance(backend, ResilientRedisCache):
            result["fallback"] = CONSEQUENCE
        return result
    return {"ok": True, "backend": name}
