"""Issue 15's dump benchmark: how fast the full dumps (licences/dumps.py) write, and in how much memory.

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:55432/khanij_bench python bench/dumps.py \
        [--auctions 10000] [--offers 1000000] [--reuse] [--rounds 3]

1. Drops and re-creates the bench database (its name must contain "bench"), migrates it, seeds `--auctions` blocks
   (bench/seed.py) and one historic settled auction on each (bulk_create); --reuse keeps a seeded database (and
   migrates it). --offers N turns the first N/100 auctions into settled e-auctions run here with about 100 final
   offers each (INSERT ... SELECT, seconds for 1,000,000; skipped when the offers are there, so --reuse keeps them).
2. `--rounds` times, each scenario in a fresh process, into a temporary directory, with the dump's own functions:
   offers.csv (COPY); then the auctions' files from the stored renderings (licences/renderings.py): **cold** (the
   store emptied first: every auction rendered), **warm** (nothing changed since: the fingerprints only), and
   **warm-1%** (1% of the auctions' blocks renamed first). For the last three: the refresh (rendered, seconds), then
   auctions.csv and ocds/all.json written from the store; each file's rate counts the refresh (a build shares one
   refresh among auctions.csv, results.csv and every package). Prints the median (and range) of each, the process's
   peak resident memory (ru_maxrss, and what Django alone took before) and the load.

Goal (issue 15): >= 50,000 rows/s, resident memory under 200 MB. The figures go to var/bench/dumps-<time>.json.
"""

import argparse
import datetime
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common  # noqa: E402


def seed_auctions(count: int) -> None:
    from auctions.models import Auction, Origin, Tranche
    from bench.seed import seed_blocks
    from blocks.models import Block

    seed_blocks(count)
    if Auction.objects.exists():
        return
    tranche = Tranche.objects.create(
        name="Bench tranche", origin=Origin.HISTORIC, status=Tranche.Status.NOTIFIED, kind="lease", params={}
    )
    blocks = Block.objects.filter(code__startswith="BX-").order_by("pk").values_list("pk", flat=True)[:count]
    Auction.objects.bulk_create(
        [
            Auction(
                tranche=tranche,
                block_id=pk,
                origin=Origin.HISTORIC,
                params={},
                status=Auction.Status.SETTLED,
                published_preferred_bidder=f"Firm {pk} Ltd",
                published_final_offer="10.05",
                source_url="https://example.org/record",
            )
            for pk in blocks
        ],
        batch_size=5000,
    )


FIRMS = 4  # bidders in each e-auction of the bench


def seed_offers(total: int, auctions: int) -> None:
    """`total` final offers (about 100 an auction) in e-auctions run here and settled: the first of the bench's
    auctions become Khanij auctions of a tranche of their own, with FIRMS submitted, qualified bidders each, and
    the offers written by one INSERT ... SELECT over generate_series. Skipped when the offers are there already."""
    from django.db import connection, transaction
    from django.utils import timezone

    from auctions.models import Auction, Offer, Origin, Tranche
    from bidders.models import Firm

    if Offer.objects.count() >= total:
        return
    count = max(1, min(auctions, total // 100))
    each = -(-total // count)
    now = timezone.now()
    with transaction.atomic():
        firms = [
            Firm.objects.create(legal_name=f"Bench Bidder {n} Ltd", cin=f"U13100OR2020PLC{n:06d}", pan=f"BENCH{n:04d}B",
                                registered_address="Bench", net_worth="10000000000", net_worth_as_of=now.date())
            for n in range(FIRMS)
        ]  # fmt: skip
        day = datetime.timedelta(days=1)
        schedule = {
            "document_sale_starts_at": now - 60 * day, "document_sale_ends_at": now - 35 * day,
            "bid_due_at": now - 30 * day, "technical_evaluation_at": now - 20 * day, "opening_at": now - 10 * day,
            "e_auction_starts_at": now - 9 * day,
        }  # fmt: skip
        tranche = Tranche.objects.create(
            name="Bench e-auctions", origin=Origin.KHANIJ, status=Tranche.Status.NOTIFIED, kind="lease", params={},
            notified_at=now - 61 * day, tender_fee=500000, net_worth_threshold=1000000000, **schedule,
        )  # fmt: skip
        ids = list(Auction.objects.order_by("pk").values_list("pk", flat=True)[:count])
        with connection.cursor() as cursor:
            cursor.execute(
                """UPDATE auctions_auction SET tranche_id = %s, origin = 'khanij', status = 'settled',
                   document_sale_starts_at = %s - interval '60 days', document_sale_ends_at = %s - interval '35 days',
                   bid_due_at = %s - interval '30 days', technical_evaluation_at = %s - interval '20 days',
                   opening_at = %s - interval '10 days', e_auction_starts_at = %s - interval '9 days',
                   opened_at = %s - interval '10 days', starts_at = %s - interval '9 days',
                   closes_at = %s - interval '8 days', settled_at = %s - interval '8 days', floor_price = 10,
                   reserve_price_pct = 10, net_worth_threshold = 1000000000, bid_security = 50000000,
                   lease_kind = 'ML', bid_count = %s,
                   offer_count = %s, bidder_salt = md5(id::text), published_preferred_bidder = '',
                   published_final_offer = NULL
                   WHERE id = ANY(%s)""",
                [tranche.pk, *[now] * 10, FIRMS, each, ids],
            )
            cursor.execute(
                """INSERT INTO auctions_participation (auction_id, firm_id, status, tender_fee_reference,
                   tender_fee_paid_at, bid_security_reference, declared_affiliates, technical_bid_document,
                   sealed_offer, commitment, evaluation_reason, affiliate_flag, offer_nonce, created_at,
                   submitted_at, technically_qualified, initial_price_offer, rank, qualified)
                   SELECT a, f.id, 'submitted', 'TF', %s, 'BS', '', '', '', md5(a::text || f.id::text), '', '', 'n',
                          %s, %s, true, 10 + f.n, %s - f.n, true
                   FROM unnest(%s::bigint[]) a,
                        (SELECT id, row_number() OVER (ORDER BY id) AS n FROM bidders_firm WHERE id = ANY(%s)) f""",
                [now, now, now, FIRMS + 1, ids, [f.pk for f in firms]],
            )
            cursor.execute(
                """INSERT INTO auctions_offer (auction_id, participation_id, seq, value, placed_at)
                   SELECT p.auction_id, p.id, s, 10 + s * 0.01, a.starts_at + s * interval '1 second'
                   FROM auctions_auction a
                   JOIN LATERAL generate_series(1, %s) s ON true
                   JOIN auctions_participation p ON p.auction_id = a.id
                        AND p.firm_id = (%s::bigint[])[1 + s %% %s]
                   WHERE a.id = ANY(%s)""",
                [each, [f.pk for f in firms], FIRMS, ids],
            )
            cursor.execute(
                """UPDATE auctions_auction a SET best_offer = o.value, best_participation_id = o.participation_id
                   FROM auctions_offer o WHERE o.auction_id = a.id AND o.seq = %s AND a.id = ANY(%s)""",
                [each, ids],
            )


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


# What each fresh process measures: offers.csv by COPY, then the auctions' files from the stored renderings
# (licences/renderings.py) with the store emptied first (cold), as the last build left it (warm), and with 1% of the
# auctions changed since (warm-1%).
SCENARIOS = ("offers.csv", "cold", "warm", "warm-1%")
CHANGED_SHARE = 0.01


def _prepare(scenario: str) -> int:
    """The store as the scenario wants it (before the clock starts); returns how many auctions were changed."""
    from django.db import connection

    from licences.models import AuctionRendering

    if scenario == "cold":
        AuctionRendering.objects.all().delete()
        return 0
    if scenario != "warm-1%":
        return 0
    with connection.cursor() as cursor:  # a block name that shows in the row and the releases, new each run
        cursor.execute(
            """UPDATE blocks_block b SET name = 'Bench block ' || b.id || ' ' || md5(random()::text)
               FROM (SELECT block_id FROM auctions_auction ORDER BY id LIMIT
                     (SELECT ceil(count(*) * %s) FROM auctions_auction)) a WHERE b.id = a.block_id""",
            [CHANGED_SHARE],
        )
        return cursor.rowcount


def measure_one(scenario: str, directory: Path) -> dict:
    """One scenario with the dump's own functions, in this (fresh) process: rows, seconds, peak RSS."""
    from django.db import connection
    from django.urls import get_resolver
    from django.utils import timezone

    from auctions.selectors.public import public_auctions
    from licences import dumps, renderings

    get_resolver().url_patterns  # noqa: B018 - the URL configuration is imported once per worker, not per dump
    renderings.link_makers("")  # and its reverse map built once (0.1 s at the first reverse())
    connection.ensure_connection()  # every scenario starts connected (warm alone would connect on the clock)
    changed = _prepare(scenario)
    now = timezone.now()
    before = peak_rss_mb()
    started = time.monotonic()
    result = {"scenario": scenario, "changed": changed, "rss_before_mb": before}
    if scenario == "offers.csv":
        counter = [0]
        dump = next(d for d in dumps._csv_dumps() if d.name == scenario)
        dumps.write_atomic(directory, scenario, dumps.csv_dump_chunks(dump, site="http://bench", now=now,
                                                                       counter=counter))  # fmt: skip
        result.update(rows=counter[0], seconds=time.monotonic() - started)
    else:
        refreshed = renderings.refresh_renderings(now=now, site="http://bench")
        refresh = time.monotonic() - started
        csv_counter, ocds_counter = [0], [0]
        dumps.write_atomic(directory, "auctions.csv", renderings.csv_chunks(public_auctions(now=now),
                                                                             counter=csv_counter))  # fmt: skip
        csv_done = time.monotonic()
        chunks = dumps.stored_package_chunks(public_auctions(now=now), uri="x", now=now, counter=ocds_counter)
        dumps.write_atomic(directory, "ocds/all.json", chunks)
        ocds_seconds = time.monotonic() - csv_done
        csv_seconds = csv_done - started - refresh
        result.update(
            rendered=refreshed.rendered, refresh_seconds=refresh, rows=csv_counter[0], csv_seconds=csv_seconds,
            releases=ocds_counter[0], ocds_seconds=ocds_seconds, seconds=time.monotonic() - started,
            # each file's rate counts the refresh it needs (a build shares one refresh among all its files)
            csv_rows_per_second=csv_counter[0] / (refresh + csv_seconds),
            ocds_releases_per_second=ocds_counter[0] / (refresh + ocds_seconds),
        )  # fmt: skip
    return {**result, "peak_rss_mb": peak_rss_mb(), "load": os.getloadavg()}


def measure(url: str, rounds: int) -> list[dict]:
    """Each scenario in a process of its own, so that its peak RSS is its own (not the seeding's, not another's),
    `rounds` times in turn (cold, warm, warm-1%: the warm ones over the store the one before left)."""
    results = []
    for _ in range(rounds):
        for scenario in SCENARIOS:
            with tempfile.TemporaryDirectory() as tmp:
                out = subprocess.run(
                    [sys.executable, __file__, "--one", scenario, "--directory", tmp], env={**os.environ,
                     "BENCH_DATABASE_URL": url}, check=True, capture_output=True, text=True,
                )  # fmt: skip
            results.append(json.loads(out.stdout.strip().splitlines()[-1]))
    return results


def _median(rows: list[dict], key: str) -> tuple[float, float, float]:
    values = sorted(row[key] for row in rows)
    return values[len(values) // 2], values[0], values[-1]


def report(results: list[dict]) -> None:
    for scenario in SCENARIOS:
        rows = [r for r in results if r["scenario"] == scenario]
        rss = _median(rows, "peak_rss_mb")[0]
        if scenario == "offers.csv":
            for row in rows:
                row["rows_per_second"] = row["rows"] / row["seconds"]
            rate, low, high = _median(rows, "rows_per_second")
            print(f"{scenario:10} {rows[0]['rows']:>9,} rows {_median(rows, 'seconds')[0]:6.2f} s {rate:>9,.0f} /s "
                  f"({low:,.0f}-{high:,.0f}) peak RSS {rss:.0f} MB")  # fmt: skip
            continue
        refresh = _median(rows, "refresh_seconds")[0]
        csv_rate, csv_low, csv_high = _median(rows, "csv_rows_per_second")
        ocds_rate, ocds_low, ocds_high = _median(rows, "ocds_releases_per_second")
        print(f"{scenario:10} rendered {rows[0]['rendered']:>6,} refresh {refresh:6.2f} s | auctions.csv "
              f"{rows[0]['rows']:,} rows {csv_rate:>8,.0f} /s ({csv_low:,.0f}-{csv_high:,.0f}) | ocds/all.json "
              f"{rows[0]['releases']:,} releases {ocds_rate:>8,.0f} /s ({ocds_low:,.0f}-{ocds_high:,.0f}) | "
              f"peak RSS {rss:.0f} MB (at start {_median(rows, 'rss_before_mb')[0]:.0f})")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--auctions", type=int, default=10_000)
    parser.add_argument("--offers", type=int, default=0, help="final offers to seed (e.g. 1000000)")
    parser.add_argument("--reuse", action="store_true", help="keep a seeded bench database (migrated)")
    parser.add_argument("--rounds", type=int, default=3, help="runs of every scenario (the median is reported)")
    parser.add_argument("--one", help=argparse.SUPPRESS)
    parser.add_argument("--directory", help=argparse.SUPPRESS)
    args = parser.parse_args()
    url = common.bench_database_url("bench/dumps.py")
    if args.one:
        common.setup_django(url)
        print(json.dumps(measure_one(args.one, Path(args.directory))))
        return
    if not args.reuse:
        common.timed("re-creating the bench database", lambda: common.recreate_database(url))
    common.setup_django(url)
    if args.reuse:
        from django.core.management import call_command

        common.timed("migrating", lambda: call_command("migrate", verbosity=0))
    common.timed(f"seeding {args.auctions} blocks and auctions", lambda: seed_auctions(args.auctions))
    if args.offers:
        common.timed(f"seeding {args.offers} final offers", lambda: seed_offers(args.offers, args.auctions))
    load_before = os.getloadavg()
    results = measure(url, args.rounds)
    load_after = os.getloadavg()
    report(results)
    print(f"load average {load_before[0]:.1f} -> {load_after[0]:.1f}")
    path = common.save("dumps", {"machine": common.machine(), "load": [load_before, load_after], "rows": results})
    print(f"figures: {path}")


if __name__ == "__main__":
    main()
