"""Issue 14's opening benchmark: a real Celery worker opens the initial price offers of a 20-auction tranche with 50
bidders each; the time per auction, and the tranche's.

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:55432/khanij_bench_opening python bench/opening.py
    (without BENCH_DATABASE_URL it prints how to set it and starts nothing; with BENCH_REDIS_URL the broker is that
    Redis, as in production, else kombu's filesystem queue under var/bench/opening/, as `make run` has it)

In one run, on a fresh bench database (dropped, created, migrated; its name must contain "bench"):

1. Set-up through the real services: --bidders firms (50) and, for each worker setting, a tranche of --auctions
   blocks (20), every firm bidding a sealed offer in every auction and technically qualified (ties in pairs, so every
   firm also qualifies for the e-auction); the opening time has come.
2. For each --concurrency (4 by default, as docker-compose.yml's worker; e.g. --concurrency 1 4 to see the
   parallelism), a real worker is started (`celery -A config worker`, prefork, production settings, the sealing key
   in its environment), the regulator's action queues the tranche's openings (auctions.services.tranche_open: one
   outbox message per auction, relayed to the broker once it commits), and the benchmark waits until every auction
   is opened.
3. Reports, per auction, the worker's time (from claiming the job to its commit: opening_started_at to
   opening_finished_at: decrypting 50 offers, checking their commitments, ranking, the writes, the ledger entry and
   50 notices) and the wait in the queue (queued to claimed); for the tranche, how long the regulator's request took
   and the wall time from it to the last opening.
4. Checks that each auction opened once (one `opened` ledger entry), with every firm qualified, and that its ledger
   stream verifies and replays.

Prints a table and writes var/bench/opening-<time>.json with the machine's description and load average.
"""

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common  # noqa: E402

QUEUE_DIR = common.ROOT / "var" / "bench" / "opening"
WAIT_SECONDS = 600


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bidders", type=int, default=50, help="firms bidding in every auction (50)")
    parser.add_argument("--auctions", type=int, default=20, help="auctions in the tranche (20)")
    parser.add_argument("--concurrency", type=int, nargs="+", default=[4],
                        help="worker processes; several values run one tranche each (4)")  # fmt: skip
    parser.add_argument("--pool", default="prefork", help="the worker's pool: prefork (production) or threads")
    return parser.parse_args()


def start_worker(url: str, concurrency: int, pool: str, log: Path) -> subprocess.Popen:
    env = common.server_env(url, EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend", LOG_LEVEL="INFO")
    command = [
        sys.executable, "-m", "celery", "-A", "config", "worker", f"--pool={pool}", f"--concurrency={concurrency}",
        "--loglevel=INFO", "--without-gossip", "--without-mingle", "--without-heartbeat",
        f"--hostname=bench-opening-{concurrency}@%h",
    ]  # fmt: skip
    with log.open("w") as out:
        process = subprocess.Popen(command, cwd=common.ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while " ready." not in log.read_text():
        if process.poll() is not None or time.monotonic() > deadline:
            raise SystemExit(f"The Celery worker did not start:\n{log.read_text()[-3000:]}")
        time.sleep(0.2)
    return process


def purge_broker() -> None:
    """Nothing left in the broker's queue by an earlier run; this process's connection to the broker and its task
    modules ready, so that the regulator's request is timed as a web process that has served before would take it."""
    from celery import current_app

    current_app.loader.import_default_modules()
    with current_app.connection_for_write() as connection:
        connection.default_channel.queue_purge(current_app.conf.task_default_queue)
    current_app.tasks["core.outbox_purge"].apply_async(retry=False)  # harmless: the producer's connection is open


def open_tranche(regulator, tranche_id: int, ids: list[int]) -> dict:
    """The regulator's action, then wait for the worker to open every auction; the figures."""
    from django.utils import timezone

    from auctions import services as svc
    from auctions.models import Auction

    asked_at = timezone.now()
    started = time.monotonic()
    svc.tranche_open(actor=regulator, tranche_id=tranche_id)  # returns once the 20 messages are on the broker
    request_ms = (time.monotonic() - started) * 1000
    deadline = time.monotonic() + WAIT_SECONDS
    while Auction.objects.filter(pk__in=ids, opening_status=Auction.Opening.DONE).count() < len(ids):
        if time.monotonic() > deadline:
            raise SystemExit(f"Not every auction opened within {WAIT_SECONDS} s.")
        time.sleep(0.05)
    rows = list(Auction.objects.filter(pk__in=ids).order_by("pk"))
    worker_ms = [(a.opening_finished_at - a.opening_started_at).total_seconds() * 1000 for a in rows]
    queue_ms = [(a.opening_started_at - a.opening_requested_at).total_seconds() * 1000 for a in rows]
    wall_s = (max(a.opening_finished_at for a in rows) - asked_at).total_seconds()
    return {
        "request_ms": round(request_ms, 1),
        "wall_s": round(wall_s, 2),
        "auctions_per_s": round(len(rows) / wall_s, 2),
        "worker_ms": summary(worker_ms),
        "queue_ms": summary(queue_ms),
        "per_auction": [
            {"auction": a.pk, "worker_ms": round(w, 1), "queue_ms": round(q, 1)}
            for a, w, q in zip(rows, worker_ms, queue_ms, strict=True)
        ],
    }


def summary(values: list[float]) -> dict:
    ordered = sorted(values)
    return {
        "min": round(ordered[0], 1),
        "p50": round(statistics.median(ordered), 1),
        "mean": round(statistics.fmean(ordered), 1),
        "p90": round(common.percentile(ordered, 90), 1),
        "max": round(ordered[-1], 1),
    }


def check(ids: list[int], bidders: int) -> list[str]:
    """Each auction opened once with every firm qualified; its ledger verifies and replays. The problems found."""
    from auctions.models import Auction
    from auctions.replay import replay
    from ledger.models import Entry
    from ledger.services import ledger_verify

    problems = []
    for auction in Auction.objects.filter(pk__in=ids):
        opened = Entry.objects.filter(stream=auction.stream, kind="opened").count()
        qualified = auction.participations.filter(qualified=True).count()
        entries = [e.as_dict() for e in Entry.objects.filter(stream=auction.stream).order_by("seq")]
        if auction.status != Auction.Status.OPENED or opened != 1 or qualified != bidders:
            problems.append(f"auction {auction.pk}: {auction.status}, {opened} opened entries, {qualified} qualified")
        if not ledger_verify(stream=auction.stream).ok or not replay(auction.pk, entries).agrees:
            problems.append(f"auction {auction.pk}: its ledger does not verify or replay")
    return problems


def main() -> int:
    args = parse_args()
    url = common.bench_database_url("bench/opening.py")
    out = sys.stdout
    if not os.environ.get("BENCH_REDIS_URL"):
        shutil.rmtree(QUEUE_DIR, ignore_errors=True)
        os.environ["KHANIJ_VAR_DIR"] = str(QUEUE_DIR)  # this process and the worker share the filesystem queue
    common.timed("Re-creating and migrating the bench database", lambda: common.recreate_database(url))
    common.setup_django(url)

    from django.utils import timezone

    from bench.e_auction.setup_auctions import bench_firms, evaluated_tranche

    regulator, users, _tokens = bench_firms(args.bidders)
    now = timezone.now()
    base = now - timedelta(days=30)
    schedule = {
        "document_sale_starts_at": base + timedelta(days=1),
        "document_sale_ends_at": base + timedelta(days=5),
        "bid_due_at": base + timedelta(days=10),
        "technical_evaluation_at": base + timedelta(days=12),
        "opening_at": base + timedelta(days=14),
        "e_auction_starts_at": now + timedelta(days=1),
    }
    tranches = {}
    for n, concurrency in enumerate(args.concurrency):
        name = f"Bench opening tranche {n + 1}"
        ids = common.timed(
            f"Set-up: {name}, {args.auctions} auctions x {args.bidders} sealed offers, evaluated",
            lambda name=name, n=n: evaluated_tranche(
                regulator=regulator,
                users=users,
                auctions=args.auctions,
                schedule=schedule,
                name=name,
                first_block=n * args.auctions,
                out=out,
            ),  # fmt: skip
        )
        tranches[concurrency] = ids
    info = common.machine()
    info["postgresql"] = common.postgres_version()
    broker = "Redis" if os.environ.get("BENCH_REDIS_URL") else "filesystem queue"
    out.write(
        f"\n{info['date']}: {info['nproc']} CPU ({info['cpu']}), {info['memory_gb']} GB, PostgreSQL "
        f"{info['postgresql']}, broker {broker}; load average {info['load_average']}\n\n"
    )
    from auctions.models import Auction

    runs = {}
    for concurrency, ids in tranches.items():
        log = common.RESULTS_DIR / f"opening-worker-{concurrency}.log"
        common.RESULTS_DIR.mkdir(parents=True, exist_ok=True)
        purge_broker()  # the mails of the last run's notices, which its worker had not sent, are not this run's work
        worker = start_worker(url, concurrency, args.pool, log)
        try:
            tranche_id = Auction.objects.get(pk=ids[0]).tranche_id
            runs[concurrency] = run = open_tranche(regulator, tranche_id, ids)
        finally:
            worker.terminate()
            worker.wait(timeout=60)
        run["problems"] = check(ids, args.bidders)
        w, q = run["worker_ms"], run["queue_ms"]
        checked = "; ".join(run["problems"]) or "each opened once, every firm qualified, ledgers verify and replay"
        out.write(
            f"worker {args.pool} x {concurrency}: {len(ids)} auctions x {args.bidders} bidders opened in "
            f"{run['wall_s']} s "
            f"({run['auctions_per_s']} auctions/s); the regulator's request {run['request_ms']} ms\n"
            f"  per auction, in the worker (ms): min {w['min']}, p50 {w['p50']}, mean {w['mean']}, p90 {w['p90']}, "
            f"max {w['max']}\n"
            f"  per auction, waiting in the queue (ms): min {q['min']}, p50 {q['p50']}, max {q['max']}\n"
            f"  checks: {checked}\n"
        )
    info["load_average_after"] = os.getloadavg() if hasattr(os, "getloadavg") else None
    path = common.save("opening", {"machine": info, "settings": vars(args), "broker": broker, "runs": runs})
    out.write(f"\nSaved {path}\n")
    return 1 if any(run["problems"] for run in runs.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
