"""Issue 15's dump benchmark: how fast the full dumps (licences/dumps.py) write, and in how much memory.

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:55432/khanij_bench python bench/dumps.py [--auctions 10000]

1. Drops and re-creates the bench database (its name must contain "bench"), migrates it, seeds `--auctions` blocks
   (bench/seed.py) and one historic settled auction on each (bulk_create); --reuse keeps a seeded database.
2. Writes auctions.csv and the OCDS package of every auction (ocds/all.json) with the dump's own functions into a
   temporary directory, and prints rows/s of each and the process's peak resident memory (ru_maxrss).

Goal (issue 15): >= 50,000 rows/s, resident memory under 200 MB. The figures go to var/bench/dumps-<time>.json.
"""

import argparse
import os
import resource
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


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def measure(directory: Path) -> list[dict]:
    from django.utils import timezone

    from auctions.api.downloads import AUCTION_CSV_COLUMNS, auction_csv_rows
    from auctions.selectors.public import public_auctions
    from core.public_api import csv_lines
    from licences import dumps

    rows = []
    started = time.monotonic()
    counter = dumps.RowCounter(auction_csv_rows(public_auctions(), "http://bench"))
    dumps.write_atomic(directory, "auctions.csv", csv_lines(AUCTION_CSV_COLUMNS, counter, cap=dumps.UNCAPPED))
    seconds = time.monotonic() - started
    rows.append({"dump": "auctions.csv", "rows": counter.count, "seconds": seconds, "peak_rss_mb": peak_rss_mb()})

    now = timezone.now()
    started = time.monotonic()
    auctions, count = public_auctions(now=now).select_related("licence"), [0]
    dumps.write_atomic(directory, "ocds/all.json", dumps.package_chunks(auctions, uri="x", now=now, counter=count))
    seconds = time.monotonic() - started
    row = {"dump": "ocds/all.json (releases)", "rows": count[0], "seconds": seconds, "peak_rss_mb": peak_rss_mb()}
    rows.append(row)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--auctions", type=int, default=10_000)
    parser.add_argument("--reuse", action="store_true", help="keep a seeded bench database")
    args = parser.parse_args()
    url = common.bench_database_url("bench/dumps.py")
    if not args.reuse:
        common.timed("re-creating the bench database", lambda: common.recreate_database(url))
    common.setup_django(url)
    common.timed(f"seeding {args.auctions} blocks and auctions", lambda: seed_auctions(args.auctions))
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp:
        rows = measure(Path(tmp))
    load_after = os.getloadavg()
    for row in rows:
        rate = row["rows"] / row["seconds"] if row["seconds"] else 0
        row["rows_per_second"] = rate
        print(f"{row['dump']:28} {row['rows']:>9,} rows {row['seconds']:7.1f} s {rate:>10,.0f} rows/s "
              f"peak RSS {row['peak_rss_mb']:.0f} MB")  # fmt: skip
    print(f"load average {load_before[0]:.1f} -> {load_after[0]:.1f}")
    path = common.save("dumps", {"machine": common.machine(), "load": [load_before, load_after], "rows": rows})
    print(f"figures: {path}")


if __name__ == "__main__":
    main()
