"""One run: the bench database, the set-up, the service alone, the ceiling and the HTTP runs in turns, the paced
run and the rooms; then the report."""

import contextlib
import sys
from datetime import timedelta

from bench import common
from bench.e_auction.bidders import run_bidders, summarise
from bench.e_auction.ceiling import pgbench_prepare, pgbench_run
from bench.e_auction.checks import lock_hold
from bench.e_auction.cli import parse_args
from bench.e_auction.report import PACED_SHARE, conclude
from bench.e_auction.rooms import run_rooms
from bench.e_auction.setup_auctions import setup


def main(description: str) -> int:
    args = parse_args(description)
    url = common.bench_database_url("bench/bidding.py")
    out = sys.stdout
    common.timed("Re-creating and migrating the bench database", lambda: common.recreate_database(url))
    common.setup_django(url)
    close_in = timedelta(seconds=args.duration * (4 + len(args.rooms)) + 600)
    state = common.timed(
        f"Set-up: {args.bidders} firms, {args.auctions + 3} auctions, every firm qualified in each",
        lambda: setup(firms=args.bidders, auctions=args.auctions + 3, close_in=close_in, out=out),
    )
    one, rooms_auction, lock_auction, many = state["auctions"][:3] + [state["auctions"][3:]]
    tokens, floor = state["tokens"], state["floor"]
    info = common.machine()
    info["postgresql"] = common.postgres_version()
    worker_kind = f"gthread workers x {args.threads} threads" if args.threads else "sync workers"
    out.write(
        f"\n{info['date']}: {info['nproc']} CPU ({info['cpu']}), {info['memory_gb']} GB, PostgreSQL "
        f"{info['postgresql']}; load average {info['load_average']}; gunicorn {args.workers} {worker_kind}; "
        f"{args.bidders} bidders in {args.processes} processes; {args.duration} s per run\n\n"
    )
    rows, report, all_records, used = [], {"machine": info, "settings": vars(args)}, [], []
    ceiling = single = spread = held = paced = None
    room_runs = []
    if "lock" not in args.skip:
        held = common.timed("offer_place in-process, 200 offers in a row", lambda: lock_hold(lock_auction))
        rows += [held["service"], held["lock"]]
        all_records += held["records"]
        used.append(lock_auction)
    # The ceiling, the reference and the two HTTP runs take turns in slices, so that a change in the machine's
    # background load touches them alike and their ratios hold.
    slice_seconds = max(5, args.duration // args.rounds)
    pg = {1: ([], 0.0), args.auctions: ([], 0.0)}
    http = {"one": ([], 0.0), "many": ([], 0.0)}
    bare_rows = []
    one_assignments = [(tokens[i], one, floor[one]) for i in range(args.bidders)]
    many_assignments = [(tokens[i], many[i % len(many)], floor[many[i % len(many)]]) for i in range(args.bidders)]
    if "ceiling" not in args.skip:
        pgbench_prepare(args.auctions)
    web = ["--worker-class", "gthread", "--threads", str(args.threads)] if args.threads else []
    with common.Gunicorn(url, port=args.port, workers=args.workers, extra_args=web):
        for number in range(1, args.rounds + 1):
            out.write(f"Turn {number}/{args.rounds}, {slice_seconds} s each:")
            if "ceiling" not in args.skip:
                for n in pg:
                    latencies, seconds = pgbench_run(url, rows=n, clients=args.bidders, seconds=slice_seconds)
                    pg[n] = (pg[n][0] + latencies, pg[n][1] + seconds)
                out.write(f" pgbench {len(pg[1][0]):,} tx;")
            if "bare" not in args.skip:
                bare_rows.append(
                    common.drive(
                        "bare DRF view (GET)", args.port, ["/bench/bare"], clients=args.bidders,
                        processes=args.processes, duration=min(slice_seconds, 5), warmup=1 if number == 1 else 0,
                    )
                )  # fmt: skip
                out.write(" bare view;")
            for key, assignments in (("one", one_assignments), ("many", many_assignments)):
                if key in args.skip:
                    continue
                figures, records = run_bidders(
                    key, args.port, assignments, duration=slice_seconds, processes=args.processes
                )
                http[key] = (http[key][0] + records, http[key][1] + figures.seconds)
                out.write(f" {key} {len(http[key][0]):,} offers;")
            out.write("\n")
        if "ceiling" not in args.skip:
            pg_rows = {
                n: common.figures(f"pgbench: lock+update+insert, {n} row{'s' if n > 1 else ''}", latencies, seconds)
                for n, (latencies, seconds) in pg.items()
            }
            ceiling = pg_rows[1]
            rows += list(pg_rows.values())
        if bare_rows:
            rows.append(
                common.Figures(
                    name="bare DRF view (GET)",
                    requests=sum(r.requests for r in bare_rows),
                    errors=sum(r.errors for r in bare_rows),
                    seconds=round(sum(r.seconds for r in bare_rows), 2),
                    per_second=round(sum(r.requests for r in bare_rows) / sum(r.seconds for r in bare_rows), 1),
                    p50_ms=sorted(r.p50_ms for r in bare_rows)[len(bare_rows) // 2],
                    p99_ms=max(r.p99_ms for r in bare_rows),
                    max_ms=max(r.max_ms for r in bare_rows),
                    extra={"note": "p50: the median turn's p50; p99: the worst turn's p99"},
                )
            )
        if "one" not in args.skip:
            single = summarise("HTTP offers, one auction", *http["one"])
            rows.append(single)
            all_records += http["one"][0]
            used.append(one)
        if "many" not in args.skip:
            spread = summarise(f"HTTP offers, {len(many)} auctions", *http["many"])
            rows.append(spread)
            all_records += http["many"][0]
            used += many
        if "paced" not in args.skip and ceiling:
            # The latency goal at the throughput goal: offers sent at 0.40 of the ceiling, at a fixed rate.
            rate = PACED_SHARE * ceiling.per_second
            paced, records = common.timed(
                f"One auction, offers sent at {PACED_SHARE:.2f} of the ceiling ({rate:.0f}/s) for {args.duration} s",
                lambda: run_bidders(
                    f"HTTP offers, one auction, sent at {rate:.0f}/s", args.port, one_assignments,
                    duration=args.duration, processes=args.processes, rate=rate,
                ),
            )  # fmt: skip
            paced.extra.update(rate=round(rate, 1), answered_per_second=round(paced.requests / args.duration, 1))
            rows.append(paced)
            all_records += records
            if one not in used:
                used.append(one)
        if "rooms" not in args.skip:
            flow = [(tokens[i], rooms_auction, floor[rooms_auction]) for i in range(args.flow_bidders)]
            events_server = contextlib.nullcontext()
            if args.rooms_mode == "events":
                # The streams' own server: gunicorn's gthread worker (a thread per open stream), beside the sync
                # workers that take the offers, as in a deployment that routes /room/events to it.
                events_server = common.Gunicorn(
                    url,
                    port=args.port + 1,
                    workers=args.events_workers,
                    extra_args=["--worker-class", "gthread", "--threads", str(args.events_threads)],
                    env={"KHANIJ_BENCH_STREAMS": str(args.events_threads - 8)},
                )
            how = "following the events" if args.rooms_mode == "events" else "polling"
            with events_server:
                for count in args.rooms:
                    run = common.timed(
                        f"{count} rooms {how} while {args.flow_bidders} bidders offer",
                        lambda count=count: run_rooms(
                            args.port,
                            rooms_auction,
                            tokens,
                            rooms=count,
                            duration=args.duration,
                            interval=args.poll_interval,
                            processes=args.processes,
                            flow=flow,
                            flow_pace=args.flow_pace,
                            bidder_processes=1,
                            mode=args.rooms_mode,
                            events_port=args.port + 1,
                        ),  # fmt: skip
                    )
                    run["rooms"] = count
                    room_runs.append(run)
                    rows += [run["polls"], run["offers"], run["room_lag"], run["every_room_lag"]]
                    all_records += run["records"]
            used.append(rooms_auction)

    return conclude(
        out,
        args=args,
        info=info,
        report=report,
        rows=rows,
        single=single,
        spread=spread,
        paced=paced,
        held=held,
        ceiling=ceiling,
        room_runs=room_runs,
        many=many,
        used=used,
        all_records=all_records,
    )
