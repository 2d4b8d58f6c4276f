"""Django's Redis cache, keeping its Redis client.

Django's `RedisCacheClient.get_client` builds a new `redis.Redis` object (with its connection pool) for every cache
call; building one costs more CPU than the call itself (about 0.4 ms here, measured with cProfile on an accepted
offer, which makes three cache calls: docs/benchmarks.md). A `redis.Redis` client is safe to share between threads
(each command takes a connection from the pool), so this client builds one per connection pool (per server) and
keeps it. Use it as the BACKEND `core.cache.RedisCache`; everything else is Django's.
"""

from django.core.cache.backends import redis as django_redis


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


class RedisCache(django_redis.RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient
