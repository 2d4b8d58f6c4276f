"""The public block API's own response cache on Redis, invalidated by a data version (issue 15, "Speed").

An answer is cached under the full URL it answered (scheme, host, path and query string: its links are absolute)
and the current data version. Every service that writes blocks calls `bump_data_version()`, which replaces the
version at once and again when its transaction commits; from the next request on, every cached answer is under an
old version and is never read again (it expires after CACHE_SECONDS). So an edit shows on the very next request.

Redis is only a cache (core/cache.py fails open): when it does not answer, the version reads as None and the view
answers from the database without caching. A bump lost while Redis was down leaves answers cached before the
outage readable until they expire: at most CACHE_SECONDS, the max-age the API already announces to HTTP caches.
"""

import uuid

from django.core.cache import cache, caches
from django.db import transaction

from core.cache import RedisCache
from core.public_api import CACHE_SECONDS

VERSION_KEY = "public:blocks:version"


def data_version() -> str | None:
    """The current version of the public block data; None when Redis does not answer (then nothing is cached), or
    when the cache is not Redis (a per-process cache, as without REDIS_URL, cannot be invalidated in every process:
    nothing is cached then either)."""
    if not isinstance(caches["default"], RedisCache):
        return None
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, uuid.uuid4().hex, timeout=None)
        version = cache.get(VERSION_KEY)
    return version


def new_data_version() -> None:
    """Start a new version now: every answer cached before is never read again."""
    cache.set(VERSION_KEY, uuid.uuid4().hex, timeout=None)


def bump_data_version() -> None:
    """Blocks or minerals changed: a new version now, and another once the caller's transaction commits (a request
    that read the old rows between the two may have cached them under the first)."""
    new_data_version()
    transaction.on_commit(new_data_version)


def cached_answer(request, compute):
    """The body of a public GET that succeeded: from the cache when this data version answered the same URL, else
    `compute()` (which raises for an error answer, never cached), then cached for CACHE_SECONDS."""
    version = data_version()
    if version is None:
        return compute()
    key = f"public:blocks:{version}:{request.build_absolute_uri()}"
    data = cache.get(key)
    if data is None:
        data = compute()
        cache.set(key, data, timeout=CACHE_SECONDS)
    return data


def mineral_changed(sender, **kwargs) -> None:
    """A mineral edited (its name or schedule flags show in every block row), e.g. in the admin."""
    bump_data_version()
