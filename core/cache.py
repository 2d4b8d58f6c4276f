"""Django's Redis cache, keeping its Redis client, and failing open when Redis does not answer.

PostgreSQL is the record; Redis is only a cache here. A cache that does not answer must never turn a request into a
server error, nor roll back the offer whose transaction asked it for the room's summary (measured in issue 12: with
Redis stopped for 36 s, 794 of 805 offers got a 500). So:

- every call has a short connect and read timeout (`CACHES["default"]["OPTIONS"]`, from `REDIS_TIMEOUT`);
- a read that fails answers "not cached" (the caller computes from the database), a write that fails is dropped;
- after a failure the process leaves Redis alone for `REDIS_RETRY_AFTER` seconds, so that a request does not wait
  out a timeout on each of its cache calls while Redis is down; then it tries again by itself.
Each failure is logged once per pause, as a warning.

Django's `RedisCacheClient.get_client` builds a new `redis.Redis` object (with its connection pool) for every cache
call; building one costs more CPU than the call itself (about 0.4 ms here, measured with cProfile on an accepted
offer, which makes three cache calls: docs/benchmarks.md). A `redis.Redis` client is safe to share between threads
(each command takes a connection from the pool), so this client builds one per connection pool (per server) and
keeps it. Use it as the BACKEND `core.cache.RedisCache`; everything else is Django's.
"""

import functools
import logging
import time

import redis
from django.core.cache.backends import redis as django_redis

log = logging.getLogger(__name__)


class RedisCacheClient(django_redis.RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)  # with replicas, a read picks one at random: one client per pool
        client = self._clients.get(pool)
        if client is None:
            client = self._clients[pool] = self._client(connection_pool=pool)
        return client


def _fail_open(answer):
    """Run the cache call; when Redis fails or is paused, return `answer(args, kwargs)` instead of raising."""

    def wrap(method):
        @functools.wraps(method)
        def call(self, *args, **kwargs):
            if time.monotonic() < self._paused_until:
                return answer(args, kwargs)
            try:
                return method(self, *args, **kwargs)
            except redis.RedisError as exc:
                self._paused_until = time.monotonic() + self._retry_after
                log.warning("Redis cache unavailable (%s): %s answers without it for %.1f s", exc, method.__name__,
                            self._retry_after)  # fmt: skip
                return answer(args, kwargs)

        return call

    return wrap


def _default(args, kwargs):
    return kwargs.get("default", args[1] if len(args) > 1 else None)


class RedisCache(django_redis.RedisCache):
    def __init__(self, server, params):
        params = dict(params)
        options = dict(params.get("OPTIONS") or {})
        self._retry_after = float(options.pop("retry_after", 1.0))
        params["OPTIONS"] = options
        super().__init__(server, params)
        self._class = RedisCacheClient
        self._paused_until = 0.0

    get = _fail_open(_default)(django_redis.RedisCache.get)
    get_many = _fail_open(lambda args, kwargs: {})(django_redis.RedisCache.get_many)
    has_key = _fail_open(lambda args, kwargs: False)(django_redis.RedisCache.has_key)
    add = _fail_open(lambda args, kwargs: False)(django_redis.RedisCache.add)
    set = _fail_open(lambda args, kwargs: None)(django_redis.RedisCache.set)
    set_many = _fail_open(lambda args, kwargs: list(args[0]) if args else [])(django_redis.RedisCache.set_many)
    touch = _fail_open(lambda args, kwargs: False)(django_redis.RedisCache.touch)
    delete = _fail_open(lambda args, kwargs: False)(django_redis.RedisCache.delete)
    delete_many = _fail_open(lambda args, kwargs: None)(django_redis.RedisCache.delete_many)
    clear = _fail_open(lambda args, kwargs: False)(django_redis.RedisCache.clear)
