"""The ceiling: pgbench with a custom script on the same server, BEGIN; SELECT ... FOR UPDATE on one row; UPDATE
it; INSERT a row; COMMIT (and the same spread over several rows)."""

import os
import re
import subprocess
import tempfile
import urllib.parse
from pathlib import Path

from bench import common

PGBENCH_SCRIPT = """\
\\set aid random(1, {rows})
BEGIN;
SELECT best, offers FROM bench_lock WHERE id = :aid FOR UPDATE;
UPDATE bench_lock SET best = best + 0.05, offers = offers + 1 WHERE id = :aid;
INSERT INTO bench_offer (auction, value, placed_at) VALUES (:aid, 1.00, now());
COMMIT;
"""


def pgbench_prepare(rows: int) -> None:
    """The ceiling's tables: `rows` rows to lock (one per auction) and a table the offers go into."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_lock, bench_offer")
        cursor.execute("CREATE TABLE bench_lock (id int PRIMARY KEY, best numeric(7,2) NOT NULL, offers int NOT NULL)")
        cursor.execute(
            "CREATE TABLE bench_offer (id bigserial PRIMARY KEY, auction int NOT NULL, value numeric(7,2) NOT NULL, "
            "placed_at timestamptz NOT NULL)"
        )
        cursor.execute("INSERT INTO bench_lock SELECT g, 10, 0 FROM generate_series(1, %s) g", [rows])


def pgbench_run(database_url: str, *, rows: int, clients: int, seconds: int) -> tuple[list[float], float]:
    """pgbench on rows 1..`rows` for `seconds`: the latency of every transaction, and the seconds they took
    (transactions / pgbench's tps without the connection time)."""
    parts = urllib.parse.urlsplit(database_url)
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "offer.sql"
        script.write_text(PGBENCH_SCRIPT.format(rows=rows))
        command = [
            str(common.PG_BIN / "pgbench"),
            "-n",
            "-h", parts.hostname, "-p", str(parts.port or 5432),
            "-U", urllib.parse.unquote(parts.username or "postgres"),
            "-c", str(clients), "-j", "2", "-T", str(seconds), "-f", str(script), "-l", "--log-prefix", f"{tmp}/tx",
            parts.path.lstrip("/"),
        ]  # fmt: skip
        env = {"PGPASSWORD": urllib.parse.unquote(parts.password or "")} if parts.password else {}
        result = subprocess.run(
            command, capture_output=True, text=True, timeout=seconds + 120, env={**os.environ, **env}
        )
        if result.returncode != 0:
            raise SystemExit(f"pgbench failed:\n{result.stdout}\n{result.stderr}")
        latencies = []
        for log in Path(tmp).glob("tx*"):
            for line in log.read_text().splitlines():
                fields = line.split()
                if len(fields) >= 3:
                    latencies.append(int(fields[2]) / 1_000_000)
    tps = re.search(r"tps = ([\d.]+) \(without initial connection time\)", result.stdout)
    return latencies, (len(latencies) / float(tps.group(1)) if tps and float(tps.group(1)) else seconds)
