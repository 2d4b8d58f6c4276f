"""The production settings, with the benchmarks' URLs on top (the bare DRF view).

Only the benchmarks' gunicorn uses this module (DJANGO_SETTINGS_MODULE=bench.settings), so the bench-only URL
exists nowhere else: config/urls.py is not changed and no environment variable can switch it on in production.

KHANIJ_BENCH_CACHE=1 (bench/api_read.py --cache) adds Django's per-site response cache for 60 s, the max-age
the public API already declares, to measure what a response cache would give; the bare view is never cached.
"""

import os

from config.settings import *  # noqa: F403
from config.settings import MIDDLEWARE

ROOT_URLCONF = "bench.urls"

# The events server of bench/bidding.py (gunicorn gthread): as many open rooms per process as it has threads, but
# a few kept for other requests.
ROOM_STREAMS_PER_PROCESS = int(os.environ.get("KHANIJ_BENCH_STREAMS", "64"))

if os.environ.get("KHANIJ_BENCH_CACHE") == "1":
    MIDDLEWARE = [
        "django.middleware.cache.UpdateCacheMiddleware",
        *MIDDLEWARE,
        "django.middleware.cache.FetchFromCacheMiddleware",
    ]
    CACHE_MIDDLEWARE_SECONDS = 60
    CACHE_MIDDLEWARE_KEY_PREFIX = "bench"
