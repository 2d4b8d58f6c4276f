"""core/cache.py on a real Redis: Django's cache API round-trips values (ints, dicts, Decimals), the backend keeps
one `redis.Redis` client instead of building one per call, and that client serves several threads at once.

Needs Redis (REDIS_URL): skipped on a laptop without it, fails in CI. The tests use the test process's own database
(settings.REDIS_URL: under pytest-xdist, the worker's) and a key prefix of their own, and delete their keys when
they end.
"""

import threading
import uuid
from decimal import Decimal

import pytest
import redis
from django.conf import settings
from django.core.cache import caches
from django.test import override_settings

from core.cache import RedisCache
from tests.conftest import require_service

pytestmark = pytest.mark.redis

THREADS = 8
ROUNDS = 50


@pytest.fixture
def location():
    require_service(bool(settings.REDIS_URL), "needs Redis: set REDIS_URL=redis://... (CI does)")
    return settings.REDIS_URL


@pytest.fixture
def prefix():
    return f"test-core-cache-{uuid.uuid4().hex}"


@pytest.fixture
def cache(location, prefix):
    cache = RedisCache(location, {"KEY_PREFIX": prefix})
    yield cache
    client = redis.Redis.from_url(location)
    keys = list(client.scan_iter(match=f"{prefix}:*"))
    if keys:
        client.delete(*keys)
    client.close()
    cache._cache.get_client().connection_pool.disconnect()


def test_values_round_trip_with_their_types(cache):
    values = {
        "int": 42,
        "negative": -7,
        "flag": True,
        "text": "ā ñ ✓",
        "dict": {"a": 1, "b": [1, 2, {"c": None}], "amount": Decimal("12.50")},
        "decimal": Decimal("1234567.89"),
        "list": [Decimal("0.10"), "x", 3],
    }
    for key, value in values.items():
        assert cache.set(key, value) is None
    for key, value in values.items():
        got = cache.get(key)
        assert type(got) is type(value) and got == value and repr(got) == repr(value), key
    assert cache.get("missing") is None
    assert cache.get("missing", "default") == "default"


def test_values_are_in_redis_for_every_process(cache, location, prefix):
    cache.set("shared", {"amount": Decimal("3.30")}, timeout=300)
    assert 0 < redis.Redis.from_url(location).ttl(cache.make_and_validate_key("shared")) <= 300
    another = RedisCache(location, {"KEY_PREFIX": prefix})  # e.g. another worker process
    assert another.get("shared") == {"amount": Decimal("3.30")}


def test_delete_add_incr_and_get_many(cache):
    cache.set("gone", 1)
    assert cache.delete("gone") is True
    assert cache.delete("gone") is False
    assert cache.get("gone") is None

    assert cache.add("once", {"first": True}) is True
    assert cache.add("once", {"first": False}) is False
    assert cache.get("once") == {"first": True}

    cache.set("counter", 10)
    assert cache.incr("counter") == 11
    assert cache.incr("counter", 5) == 16
    assert cache.decr("counter", 6) == 10
    assert cache.get("counter") == 10
    with pytest.raises(ValueError):
        cache.incr("no-such-counter")

    cache.set_many({"m1": 1, "m2": {"two": 2}, "m3": Decimal("3.00")})
    assert cache.get_many(["m1", "m2", "m3", "absent"]) == {"m1": 1, "m2": {"two": 2}, "m3": Decimal("3.00")}
    cache.delete_many(["m1", "m2"])
    assert cache.get_many(["m1", "m2", "m3"]) == {"m3": Decimal("3.00")}


def test_one_redis_client_serves_every_call(cache, monkeypatch):
    client = cache._cache.get_client()
    assert isinstance(client, redis.Redis)
    assert cache._cache.get_client() is client
    assert cache._cache.get_client("any-key", write=True) is client  # one server: reads and writes alike

    built = []
    redis_class = cache._cache._client

    def counting(*args, **kwargs):
        built.append(1)
        return redis_class(*args, **kwargs)

    monkeypatch.setattr(cache._cache, "_client", counting)
    for n in range(20):
        cache.set(f"k{n}", n)
        assert cache.get(f"k{n}") == n
    cache.get_many(["k1", "k2"])
    cache.incr("k3")
    cache.delete("k4")
    assert built == []  # Django's own client would have built a redis.Redis for each of those 44 calls


def test_several_threads_at_once(cache):
    barrier = threading.Barrier(THREADS)
    errors, clients = [], set()
    cache.set("hits", 0)

    def work(thread):
        try:
            barrier.wait(timeout=10)
            for n in range(ROUNDS):
                value = {"thread": thread, "n": n, "amount": Decimal(f"{thread}.{n:02d}")}
                cache.set(f"t{thread}-{n}", value)
                got = cache.get(f"t{thread}-{n}")
                if got != value:
                    errors.append((thread, n, got))
                cache.incr("hits")
                clients.add(id(cache._cache.get_client()))
        except Exception as exc:  # noqa: BLE001 - reported below, with the thread
            errors.append((thread, repr(exc)))

    threads = [threading.Thread(target=work, args=(t,)) for t in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)

    assert errors == []
    assert len(clients) == 1
    assert cache.get("hits") == THREADS * ROUNDS
    keys = [f"t{t}-{n}" for t in range(THREADS) for n in range(ROUNDS)]
    stored = cache.get_many(keys)
    assert len(stored) == THREADS * ROUNDS
    assert all(stored[f"t{t}-{n}"]["amount"] == Decimal(f"{t}.{n:02d}") for t in range(THREADS) for n in range(ROUNDS))


def test_the_backend_is_configured_by_settings(location, prefix):
    settings_cache = {"BACKEND": "core.cache.RedisCache", "LOCATION": location, "KEY_PREFIX": prefix}
    with override_settings(CACHES={"default": settings_cache}):
        cache = caches["default"]
        assert isinstance(cache, RedisCache)
        try:
            cache.set("configured", Decimal("9.99"))
            assert cache.get("configured") == Decimal("9.99")
            assert cache._cache.get_client() is cache._cache.get_client()
        finally:
            cache.delete("configured")
            cache._cache.get_client().connection_pool.disconnect()
