"""What each pytest-xdist worker of the test suite gets of its own, derived from its name (PYTEST_XDIST_WORKER).

`make test` runs the suite in parallel processes, gw0, gw1, ... (pytest-xdist). Each shares the PostgreSQL server
(pytest-django gives each its own test database, test_<name>_gw0, ...) and the Redis server, and would otherwise
share a Redis database, a Celery queue and a var directory. Worker gwN gets:

- Redis database base + N, where base is the database of REDIS_URL: its cache (which tests clear with FLUSHDB),
  its room-change channel (auctions.room_stream names the channel after the database) and its Celery broker;
- the Celery queue `khanij-test-gwN`, the default queue of the tasks it sends and the only one the Celery workers
  its tests start consume;
- the var directory `$KHANIJ_VAR_DIR/gwN` (var/test/gwN by default).

config/test_settings.py applies them. A process started by a test (a Celery worker) inherits PYTEST_XDIST_WORKER
and the suite's REDIS_URL and KHANIJ_VAR_DIR, and derives the same. Outside xdist nothing changes.
"""

from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from django.core.exceptions import ImproperlyConfigured

REDIS_DEFAULT_DATABASES = 16  # redis.conf's `databases`


def worker_index(worker: str) -> int | None:
    """gw3 -> 3; None outside pytest-xdist (an empty name)."""
    if not worker:
        return None
    if not (worker.startswith("gw") and worker[2:].isdigit()):
        raise ImproperlyConfigured(f"PYTEST_XDIST_WORKER={worker!r} is not a pytest-xdist worker name (gw0, gw1, ...)")
    return int(worker[2:])


def redis_database(url: str) -> int:
    path = urlsplit(url).path.strip("/")
    return int(path) if path else 0


def worker_redis_url(url: str, worker: str, databases: int) -> str:
    """REDIS_URL with the database of `worker`: the URL's database + the worker's index, which must be below the
    server's number of databases."""
    index = worker_index(worker)
    if index is None:
        return url
    database = redis_database(url) + index
    if database >= databases:
        raise ImproperlyConfigured(
            f"pytest-xdist worker {worker} would use Redis database {database} (REDIS_URL's {redis_database(url)} "
            f"+ {index}), but the server has {databases} databases (0-{databases - 1}). Give REDIS_URL a lower "
            "database, or run fewer workers (make test PYTEST_WORKERS=...)."
        )
    return urlunsplit(urlsplit(url)._replace(path=f"/{database}"))


def server_databases(url: str) -> int:
    """The Redis server's number of databases (CONFIG GET databases); the default when it cannot tell (CONFIG
    disabled, as on some managed services, or the server down: the tests that need it then skip or fail)."""
    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)
    try:
        return int(client.config_get("databases")["databases"])
    except (redis.RedisError, KeyError, ValueError):
        return REDIS_DEFAULT_DATABASES
    finally:
        client.close()


def worker_celery_queue(worker: str) -> str:
    """The queue of `worker`'s tasks; Celery's default outside xdist."""
    return f"khanij-test-{worker}" if worker_index(worker) is not None else "celery"


def worker_var_dir(var_dir: str, worker: str) -> str:
    """`var_dir`/gwN; a directory that already is the worker's (inherited by a process a test started) is kept."""
    if worker_index(worker) is None or Path(var_dir).name == worker:
        return var_dir
    return str(Path(var_dir) / worker)
