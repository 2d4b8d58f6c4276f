"""The public read API in-process: ms per request through Django's test client (no gunicorn, no network, no load
generator), for the bare view, the block list, the filtered list and the detail, uncached and cached; with
--profile NAME, the cProfile of one target (the functions that cost most).

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:55432/khanij_bench \
    BENCH_REDIS_URL=redis://127.0.0.1:6379/15 python bench/api_inprocess.py [--profile detail]

Runs on a database seeded by bench/api_read.py (it seeds nothing). Without BENCH_REDIS_URL the app caches nothing
(a per-process cache cannot be invalidated in every process), so only the uncached figures are given. The figures
are the median of --rounds rounds of --requests requests each, targets in turns.
"""

import argparse
import cProfile
import os
import pstats
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common  # noqa: E402


def load() -> str:
    return " / ".join(f"{x:.2f}" for x in common.machine()["load_average"])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=100, help="requests per target and round (default 100)")
    parser.add_argument("--rounds", type=int, default=5, help="rounds, targets in turns (default 5)")
    parser.add_argument("--profile", choices=["list", "filtered", "detail"], help="print a cProfile of one target")
    args = parser.parse_args()
    url = common.bench_database_url("bench/api_inprocess.py")
    common.setup_django(url)
    from django.test import Client

    from blocks.models import Block
    from blocks.public_cache import data_version, new_data_version

    codes = list(Block.objects.filter(code__startswith="BX-").values_list("code", flat=True))
    sample = random.Random(7).sample(codes, min(500, len(codes)))
    client = Client(HTTP_HOST="127.0.0.1")
    targets = {
        "bare": lambda i: "/bench/bare",
        "list": lambda i: "/api/v1/public/blocks",
        "filtered": lambda i: "/api/v1/public/blocks?mineral=lithium&state=Chhattisgarh",
        "detail": lambda i: f"/api/v1/public/blocks/{sample[i % len(sample)]}",
    }
    cached = data_version() is not None
    out = sys.stdout
    out.write(f"{len(codes):,} blocks; Redis cache {'on' if cached else 'off'}; load {load()}\n")

    if args.profile:
        new_data_version()
        profile = cProfile.Profile()
        path = targets[args.profile]
        for i in range(20):  # warm
            client.get(path(i))
        profile.enable()
        for i in range(args.requests):
            response = client.get(path(i))
            assert response.status_code == 200, response.content[:300]
        profile.disable()
        pstats.Stats(profile, stream=out).sort_stats(os.environ.get("BENCH_SORT", "cumulative")).print_stats(45)
        return 0

    times = {name: [] for name in targets}
    for _ in range(args.rounds):
        for name, path in targets.items():
            for i in range(args.requests):
                client.get(path(i))  # warm; with the cache, fills it for these URLs (hits only are timed)
            started = time.perf_counter()
            for i in range(args.requests):
                response = client.get(path(i))
                assert response.status_code == 200, response.content[:300]
            times[name].append((time.perf_counter() - started) * 1000 / args.requests)
    bare = statistics.median(times["bare"])
    mode = "cached (hits)" if cached else "uncached"
    out.write(f"\n{mode}: ms per request (median of {args.rounds} rounds of {args.requests}), bare / target\n")
    for name, values in times.items():
        ms = statistics.median(values)
        out.write(f"  {name:10} {ms:8.3f} ms  {bare / ms:5.2f}\n")
    out.write(f"load after: {load()}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
