"""Issue 2's read benchmark: the public block API on 100,000 blocks against a bare DRF view, same gunicorn.

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:55432/khanij_bench python bench/api_read.py
    (or `make bench-api`; without BENCH_DATABASE_URL it prints how to set it and starts nothing)

1. Drops and re-creates the bench database (its name must contain "bench"), migrates it and seeds 100,000
   blocks with bulk_create (bench/seed.py); --reuse keeps a seeded database.
2. Counts the SQL queries of each target in-process and prints EXPLAIN ANALYZE of the list's queries.
3. Serves the project with gunicorn (4 sync workers, production settings) on 127.0.0.1 and drives, with
   closed-loop clients, for --duration seconds each (20 by default, in 4 turns of 5 s so that a change in the
   machine's load touches every target alike): the bare view (/bench/bare), the block list unfiltered, the
   list filtered by mineral and State, and the block detail.
4. Prints req/s, p50 and p99 latency and the ratio of each target to the bare view (goal: >= 0.5 for the list),
   and writes the figures to var/bench/api_read-<time>.json.
"""

import argparse
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common  # noqa: E402

BARE = "bare DRF view"
LIST = "block list"
FILTERED = "block list: mineral + State"
DETAIL = "block detail"


def targets(sample_codes: list[str], mineral: str, state: str) -> dict[str, list[str]]:
    state_q = state.replace(" ", "+")
    return {
        BARE: ["/bench/bare"],
        LIST: ["/api/v1/public/blocks"],
        FILTERED: [f"/api/v1/public/blocks?mineral={mineral}&state={state_q}"],
        DETAIL: [f"/api/v1/public/blocks/{code}" for code in sample_codes],
    }


def diagnose(paths: dict[str, list[str]]) -> dict:
    """Query count per target (Django's test client, in this process) and the plans of the list's queries."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    report = {}
    for name, urls in paths.items():
        if name == BARE:
            continue
        with CaptureQueriesContext(connection) as queries:
            response = client.get(urls[0], HTTP_HOST="127.0.0.1")
        report[name] = {
            "status": response.status_code,
            "bytes": len(response.content),
            "queries": len(queries),
            "sql": [q["sql"] for q in queries.captured_queries],
            "plans": [],
        }
        if name in (LIST, FILTERED):
            for sql in report[name]["sql"]:
                with connection.cursor() as cursor:
                    cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
                    report[name]["plans"].append([row[0] for row in cursor.fetchall()])
    return report


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--blocks", type=int, default=100_000)
    parser.add_argument("--duration", type=float, default=20.0, help="seconds per target, in all (default 20)")
    parser.add_argument("--clients", type=int, default=16, help="concurrent closed-loop clients (default 16)")
    parser.add_argument("--processes", type=int, default=2, help="load-generator processes (default 2)")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers (default 4)")
    parser.add_argument("--port", type=int, default=8108)
    parser.add_argument("--rounds", type=int, default=4, help="the targets take turns in this many slices (default 4)")
    parser.add_argument("--reuse", action="store_true", help="keep the bench database if it is already seeded")
    parser.add_argument("--plans", action="store_true", help="print the full EXPLAIN ANALYZE of the list queries")
    parser.add_argument(
        "--cache",
        action="store_true",
        help="serve with a 60-s response cache (bench/settings.py) to measure its effect",
    )
    args = parser.parse_args()
    if not (1 <= args.duration <= 600 and 1 <= args.clients <= 256 and 1 <= args.processes <= 16):
        parser.error("keep --duration within 1..600 s, --clients within 1..256 and --processes within 1..16")
    if not 1 <= args.rounds <= 20:
        parser.error("keep --rounds within 1..20")

    url = common.bench_database_url("bench/api_read.py")
    out = sys.stdout
    if not args.reuse:
        common.timed("Re-creating and migrating the bench database", lambda: common.recreate_database(url))
    common.setup_django(url)
    from bench.seed import seed_blocks
    from blocks.models import Block, Mineral

    common.timed(f"Seeding {args.blocks:,} blocks", lambda: seed_blocks(args.blocks, out=out))
    total = Block.objects.count()
    codes = list(Block.objects.filter(code__startswith="BX-").values_list("code", flat=True)[: args.blocks])
    sample = random.Random(7).sample(codes, min(2000, len(codes)))
    lithium = Mineral.objects.get(slug="lithium")
    state = "Chhattisgarh"
    matching = Block.objects.filter(minerals=lithium, state=state).count()
    paths = targets(sample, lithium.slug, state)

    report = diagnose(paths)
    out.write(f"\n{total:,} blocks; {matching} match mineral=lithium & state={state}\n")
    for name, found in report.items():
        out.write(f"  {name}: HTTP {found['status']}, {found['bytes']:,} bytes, {found['queries']} SQL queries\n")
        for sql, plan in zip(found["sql"], found["plans"], strict=False):
            timing = [line.strip() for line in plan if "Execution Time" in line]
            out.write(f"    {sql[:110]}...\n      {timing[0] if timing else ''}\n")
            if args.plans:
                out.write("\n".join("        " + line for line in plan) + "\n")

    info = common.machine()
    info["postgresql"] = common.postgres_version()
    out.write(
        f"\n{info['date']}: {info['nproc']} CPU ({info['cpu']}), {info['memory_gb']} GB, PostgreSQL "
        f"{info['postgresql']}, load average {info['load_average']}, gunicorn {args.workers} sync workers"
        f"{' with a 60-s response cache' if args.cache else ''}; {args.clients} clients in {args.processes} "
        f"processes, {args.duration:.0f} s per target in {args.rounds} turns\n\n"
    )
    env = {"KHANIJ_BENCH_CACHE": "1"} if args.cache else {}
    with common.Gunicorn(url, port=args.port, workers=args.workers, env=env):
        rows = common.drive_interleaved(
            paths,
            args.port,
            clients=args.clients,
            processes=args.processes,
            duration=args.duration,
            rounds=args.rounds,
            progress=out,
        )
    out.write("\n")
    common.print_table(rows, reference=BARE)
    bare = rows[0].per_second or 1
    ratio = next(r for r in rows if r.name == LIST).per_second / bare
    verdict = "met" if ratio >= 0.5 else "MISSED"
    out.write(f"\nGoal: the block list at >= 0.5 of the bare view: {ratio:.2f}, {verdict}.\n")
    info["load_average_after"] = common.machine()["load_average"]
    saved = common.save(
        "api_read-cache" if args.cache else "api_read",
        {
            "machine": info,
            "blocks": total,
            "filtered_matches": matching,
            "settings": vars(args),
            "figures": [r.as_json() for r in rows],
            "ratio_list_to_bare": round(ratio, 3),
            "diagnosis": report,
        },
    )
    out.write(f"Figures saved to {saved.relative_to(common.ROOT)}\n")
    failed = [r.name for r in rows if r.errors]
    if failed:
        out.write(f"Errors (non-2xx or failed connections) in: {', '.join(failed)}\n")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
