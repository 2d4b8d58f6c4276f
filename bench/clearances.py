"""Issue 13's benchmark: the clearance reads and the sweeper at 10,000 and 100,000 cases.

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:55432/khanij_bench_clearances python bench/clearances.py
    (without BENCH_DATABASE_URL it prints how to set it and starts nothing)

1. Drops and re-creates the bench database (its name must contain "bench"), migrates it, and seeds blocks,
   licences and cases with bulk_create (bench/clearance_seed.py), first up to the first size (10,000 cases).
2. At each size (--sizes, default 10000 100000), through Django's test client in this process, with production
   settings: the overdue board (API, regulator), the facilitation desk's board page, an officer's queue page, the
   public statistics (API and page), the public case list, a licence's page. For each: the SQL queries (which must
   be the same at every size) and the median time of --repeat requests.
3. The sweep's way in: the query of `clearances_sweep` for what is due, timed and EXPLAINed (an index, never a
   sequential scan of the stages; goal under 1 s).
4. At the last size, the sweep itself on its backlog (--sweep stages at most): silence effects and escalations
   recorded per second, each in its own transaction with its ledger entry and notices.

Figures are printed and saved to var/bench/clearances-<time>.json; docs/benchmarks.md records them.
"""

import argparse
import statistics
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common  # noqa: E402

TODAY = date(2027, 9, 1)
TARGETS = {
    # name: (user, path)
    "overdue board (API)": ("regulator", "/api/v1/clearances/overdue"),
    "desk board (page)": ("desk", "/clearances/desk/"),
    "officer queue (page)": ("officer", "/authority/clearances/"),
    "public statistics (API)": (None, "/api/v1/public/clearances/statistics"),
    "public statistics (page)": (None, "/clearances/statistics/"),
    "public case list (API)": (None, "/api/v1/public/clearances"),
    "licence page": (None, "/licences/{licence}/"),
}


def people():
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from authorities.models import Authority, Officer
    from bidders.roles import REGULATORS_GROUP

    User = get_user_model()

    def user(name):
        return User.objects.get_or_create(username=name, defaults={"email": f"{name}@bench.in"})[0]

    regulator = user("bench-regulator")
    regulator.groups.add(Group.objects.get_or_create(name=REGULATORS_GROUP)[0])
    found = {"regulator": regulator, "desk": user("bench-desk"), "officer": user("bench-ibm")}
    for name, code in (("desk", "mom-desk"), ("officer", "ibm")):
        Officer.objects.get_or_create(
            user=found[name],
            authority=Authority.objects.get(code=code),
            removed_at=None,
            defaults={"designation": "Bench"},
        )
    return found


def measure(users: dict, licence_id: int, repeat: int) -> dict:
    """Queries and median milliseconds of each target (in this process, on `TODAY`)."""
    import time_machine
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    report = {}
    noon = timezone.make_aware(timezone.datetime.combine(TODAY, timezone.datetime.min.time()).replace(hour=12))
    for name, (who, path) in TARGETS.items():
        url = path.format(licence=licence_id)
        times, counts = [], []
        with time_machine.travel(noon, tick=True):
            client = Client(HTTP_HOST="127.0.0.1")
            if who:
                client.force_login(users[who])  # on the bench's day: a session of today would have expired by then
            for _ in range(repeat):
                with CaptureQueriesContext(connection) as captured:
                    started = time.perf_counter()
                    response = client.get(url, secure=True)  # production cookies are sent over HTTPS only
                    body = b"".join(response.streaming_content) if response.streaming else response.content
                    times.append((time.perf_counter() - started) * 1000)
                counts.append(len(captured))
        if response.status_code != 200:
            raise SystemExit(f"{name}: HTTP {response.status_code} {body[:300]!r}")
        report[name] = {"queries": counts[-1], "median_ms": round(statistics.median(times), 1), "bytes": len(body)}
    return report


def due_query():
    from clearances.selectors.clock import due_stages

    return due_stages(TODAY).exclude(silence="", escalated_on__isnull=False).order_by("target_date", "pk")


def sweep_find(repeat: int) -> dict:
    """The sweep's query for what is due: its time, how many it finds, and its plan."""
    from django.db import connection

    query = due_query().values_list("pk", flat=True)[:1000]
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        found = list(query.all())  # a fresh queryset each time: no result cache
        times.append((time.perf_counter() - started) * 1000)
    sql, params = query.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
        plan = [row[0] for row in cursor.fetchall()]
    scans = [line.strip() for line in plan if " Scan " in line or line.strip().startswith(("Index", "Seq Scan"))]
    return {
        "found": len(found),
        "due_in_all": due_query().count(),
        "median_ms": round(statistics.median(times), 2),
        "uses_index": bool(scans) and not any("Seq Scan" in scan for scan in scans),
        "scans": scans,
        "plan": plan,
    }


def sweep_rate(limit: int) -> dict:
    """The sweep on its backlog (at most `limit` stages), timed; then each stage it was given settled again, which
    must record nothing (a second sweeper, a redelivered task)."""
    import time_machine
    from django.utils import timezone

    from clearances.services import clearances_sweep, stage_settle

    noon = timezone.make_aware(timezone.datetime.combine(TODAY, timezone.datetime.min.time()).replace(hour=12))
    with time_machine.travel(noon, tick=True):
        given = list(due_query().values_list("pk", flat=True)[:limit])
        started = time.perf_counter()
        done = clearances_sweep(today=TODAY, limit=limit)
        seconds = time.perf_counter() - started
        again = sum(1 for stage_id in given if stage_settle(stage_id, TODAY))
    settled = sum(done.values())
    return {
        "settled": done,
        "seconds": round(seconds, 2),
        "per_second": round(settled / seconds, 1) if seconds else 0,
        "ms_each": round(seconds * 1000 / settled, 1) if settled else None,
        "settled_again": again,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000], help="cases at each measurement")
    parser.add_argument("--repeat", type=int, default=5, help="requests per target at each size (median)")
    parser.add_argument("--sweep", type=int, default=1000, help="at most this many stages settled by the timed sweep")
    parser.add_argument("--reuse", action="store_true", help="keep an already seeded bench database")
    args = parser.parse_args()
    if sorted(args.sizes) != args.sizes or not all(100 <= n <= 1_000_000 for n in args.sizes):
        parser.error("give increasing --sizes within 100..1,000,000")

    url = common.bench_database_url("bench/clearances.py")
    out = sys.stdout
    if not args.reuse:
        common.timed("Re-creating and migrating the bench database", lambda: common.recreate_database(url))
    common.setup_django(url)
    from bench.clearance_seed import seed_cases
    from bench.seed import seed_blocks
    from clearances.models import Case, Stage

    blocks = -(-args.sizes[-1] // 4)
    common.timed(f"Seeding {blocks:,} blocks", lambda: seed_blocks(blocks, out=out))
    users = people()
    sizes = {}
    for size in args.sizes:
        common.timed(f"\nSeeding up to {size:,} cases", lambda size=size: seed_cases(size, today=TODAY, out=out))
        licence_id = Case.objects.order_by("licence_id").values_list("licence_id", flat=True).first()
        reads = measure(users, licence_id, args.repeat)
        found = sweep_find(args.repeat)
        sizes[size] = {
            "cases": Case.objects.count(),
            "stages": Stage.objects.count(),
            "reads": reads,
            "sweep_find": found,
        }
        out.write(f"\n{size:,} cases ({sizes[size]['stages']:,} stages):\n")
        for name, figures in reads.items():
            out.write(f"  {name:<28} {figures['queries']:>3} queries  {figures['median_ms']:>9.1f} ms\n")
        out.write(f"  sweep's due query: {found['median_ms']} ms for {found['found']} of {found['due_in_all']} due\n")
        out.write("".join(f"    {scan}\n" for scan in found["scans"]))
    rate = sweep_rate(args.sweep)
    out.write(
        f"\nSweep at {args.sizes[-1]:,} cases: {rate['settled']} in {rate['seconds']} s = {rate['per_second']} "
        f"stages settled a second ({rate['ms_each']} ms each); settled again: {rate['settled_again']}\n"
    )

    counts = {name: {size: sizes[size]["reads"][name]["queries"] for size in sizes} for name in TARGETS}
    constant = all(len(set(by_size.values())) == 1 for by_size in counts.values())
    fast = all(
        sizes[size]["sweep_find"]["median_ms"] < 1000 and sizes[size]["sweep_find"]["uses_index"] for size in sizes
    )
    out.write(
        f"\nGoal: query counts the same at every size: {'met' if constant else 'MISSED'}; "
        f"the sweep finds what is due in under 1 s through the index: {'met' if fast else 'MISSED'}.\n"
    )
    info = common.machine()
    info["postgresql"] = common.postgres_version()
    out.write(
        f"{info['date']}: {info['nproc']} CPU ({info['cpu']}), {info['memory_gb']} GB, PostgreSQL "
        f"{info['postgresql']}, load average {info['load_average']}\n"
    )
    saved = common.save(
        "clearances",
        {
            "machine": info,
            "today": TODAY,
            "settings": vars(args),
            "sizes": sizes,
            "sweep": rate,
            "constant_queries": constant,
            "sweep_find_fast": fast,
        },
    )
    out.write(f"Figures saved to {saved.relative_to(common.ROOT)}\n")
    return 0 if constant and fast else 1


if __name__ == "__main__":
    sys.exit(main())
