"""The public block API's own response cache on Redis, invalidated by a data version (issue 15, "Speed").

An answer is cached as the bytes and headers the view rendered, under the full URL it answered (scheme, host, path
and query string: its links are absolute) and the request's Accept header, together with the data version it was
built from. A request reads both the current version and that entry in ONE Redis round trip (MGET), before DRF's
machinery (authentication, content negotiation, the view): when the entry's version is the current one, its bytes
are the answer. Every service that writes blocks calls `bump_data_version()`, which replaces the version at once and
again when its transaction commits; from the next request on, every cached answer is of an old version and is never
served again (it expires after CACHE_SECONDS). So an edit shows on the very next request.

Only what DRF rendered as JSON with status 200 is cached: errors (the JSON error shape of a bad filter, a 404) are
answered by the view every time. The middleware runs on a cached answer as on any other (security headers, CSP).

Redis is only a cache (core/cache.py fails open): when it does not answer, the version reads as None and the view
answers from the database without caching. A bump lost while Redis was down leaves answers cached before the
outage readable until they expire: at most CACHE_SECONDS, the max-age the API already announces to HTTP caches.
"""

import hashlib
import uuid

from django.core.cache import cache, caches
from django.db import transaction
from django.http import HttpResponse

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


def _entry_key(request) -> str:
    url = request.build_absolute_uri()
    accept = request.META.get("HTTP_ACCEPT", "")
    return "public:blocks:answer:" + hashlib.sha256(f"{url}\n{accept}".encode()).hexdigest()


def cached_response(request, compute) -> HttpResponse:
    """The answer to a public GET: the cached bytes when this data version answered the same URL and Accept header
    (one Redis round trip, no SQL, no DRF), else `compute()` (the view's own dispatch), cached when it is a JSON 200."""
    if request.method != "GET" or not isinstance(caches["default"], RedisCache):
        return compute()
    key = _entry_key(request)
    found = cache.get_many([VERSION_KEY, key])  # one MGET; {} when Redis does not answer
    version, entry = found.get(VERSION_KEY), found.get(key)
    if entry is not None and version is not None and entry[0] == version:
        _, headers, body = entry
        response = HttpResponse(body)
        for name, value in headers:
            response[name] = value
        return response
    if version is None:
        version = data_version()
    response = compute()
    renderer = getattr(response, "accepted_renderer", None)
    if version is not None and response.status_code == 200 and getattr(renderer, "format", None) == "json":
        response.render()
        cache.set(key, (version, list(response.items()), response.content), timeout=CACHE_SECONDS)
    return response


def mineral_changed(sender, **kwargs) -> None:
    """A mineral edited (its name or schedule flags show in every block row), e.g. in the admin."""
    bump_data_version()
