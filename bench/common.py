"""What the benchmarks share: the database they may wipe, gunicorn on loopback, a bounded load generator, the
figures (req/s, p50, p99) and a description of the machine.

Every load loop here is bounded twice, by a deadline and by a maximum count, and talks to 127.0.0.1 only.
"""

import json
import os
import platform
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from http.client import HTTPConnection
from multiprocessing import get_context
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = ROOT / ".venv" / "bin"
HOST = "127.0.0.1"
PG_BIN = Path("/usr/lib/postgresql/15/bin")
# A fixed key for the benchmark's throwaway database only: sealed offers there are not secret.
BENCH_SEALED_OFFER_KEY = "YmVuY2gtb25seS1zZWFsaW5nLWtleS0zMi1ieXRlcyE="
BENCH_LEDGER_SIGNING_KEY = "Y4xBiFvwLaECDKS0mSUXiITbr1k2wx+KyH/l3aU2Bpg="
RESULTS_DIR = ROOT / "var" / "bench"

HOW_TO = """\
The benchmark needs a PostgreSQL server and a database it may wipe (its name must contain "bench").
Set BENCH_DATABASE_URL, for example with the PostgreSQL that .ci/run or your machine runs:

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/khanij_bench python {script}

The database is dropped and created again, then migrated; nothing else on the server is touched.
Optional: BENCH_REDIS_URL=redis://127.0.0.1:6379/15 to run gunicorn with the Redis cache, as in production.
"""


def bench_database_url(script: str) -> str:
    url = os.environ.get("BENCH_DATABASE_URL", "")
    if not url:
        sys.stderr.write(HOW_TO.format(script=script))
        raise SystemExit(2)
    parts = urllib.parse.urlsplit(url)
    name = parts.path.lstrip("/")
    if parts.scheme not in ("postgres", "postgresql", "pgsql") or "bench" not in name:
        raise SystemExit(f"BENCH_DATABASE_URL must be a PostgreSQL URL of a database named *bench*; got {url}")
    if parts.hostname not in ("127.0.0.1", "localhost", "::1"):
        raise SystemExit("The benchmark talks to 127.0.0.1 only: give a PostgreSQL on loopback.")
    return url


def server_env(database_url: str, **extra) -> dict:
    """The environment of everything the benchmark starts: production settings (DEBUG off) on the bench DB."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DATABASE_URL": database_url,
        "DEBUG": "false",
        "SECRET_KEY": os.environ.get("SECRET_KEY", "bench-only-secret-key-not-for-production"),
        "SEALED_OFFER_KEY": BENCH_SEALED_OFFER_KEY,
        "LEDGER_SIGNING_KEY": BENCH_LEDGER_SIGNING_KEY,
        "KHANIJ_BENCH": "1",
        # gunicorn answers plain HTTP on loopback here: no TLS to redirect to (production redirects to HTTPS).
        "SECURE_SSL_REDIRECT": "false",
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT),
    }
    env.pop("REDIS_URL", None)
    if os.environ.get("BENCH_REDIS_URL"):
        env["REDIS_URL"] = os.environ["BENCH_REDIS_URL"]
    env.update(extra)
    return env


def setup_django(database_url: str) -> None:
    """Django in this process, on the bench database, with the settings gunicorn will use."""
    os.environ.update(server_env(database_url))
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def recreate_database(database_url: str) -> None:
    """Drop and create the bench database (its name contains "bench"), then migrate it."""
    import psycopg

    parts = urllib.parse.urlsplit(database_url)
    name = parts.path.lstrip("/")
    admin = psycopg.connect(
        host=parts.hostname,
        port=parts.port or 5432,
        user=urllib.parse.unquote(parts.username or "postgres"),
        password=urllib.parse.unquote(parts.password or "") or None,
        dbname="postgres",
        autocommit=True,
    )
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{name}"')
    admin.close()
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=server_env(database_url),
        check=True,
    )


def port_is_free(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex((HOST, port)) != 0


class Gunicorn:
    """gunicorn serving the project (production settings, the bench URLs) on 127.0.0.1:port."""

    def __init__(self, database_url: str, *, port: int, workers: int = 4, extra_args=(), log=None, env=None):
        self.database_url, self.port, self.workers, self.env = database_url, port, workers, env or {}
        self.extra_args = list(extra_args)
        self.log = log or (RESULTS_DIR / f"gunicorn-{port}.log")
        self.process = None

    def __enter__(self):
        if not port_is_free(self.port):
            raise SystemExit(f"Port {self.port} is taken; choose another with --port.")
        self.log.parent.mkdir(parents=True, exist_ok=True)
        command = [
            str(VENV_BIN / "gunicorn"),
            "config.wsgi:application",
            "--bind",
            f"{HOST}:{self.port}",
            "--workers",
            str(self.workers),
            "--chdir",
            str(ROOT),
            "--log-level",
            "warning",
            *self.extra_args,
        ]
        with open(self.log, "w") as log:
            self.process = subprocess.Popen(
                command,
                cwd=ROOT,
                env=server_env(self.database_url, **self.env),
                stdout=log,
                stderr=log,
                start_new_session=True,
            )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"gunicorn exited at start; see {self.log}")
            try:
                status, _, _ = request("GET", self.port, "/healthz", timeout=2)
                if status in (200, 503):
                    return self
            except OSError:
                pass
            time.sleep(0.2)
        self.__exit__(None, None, None)
        raise SystemExit(f"gunicorn did not answer within 60 s; see {self.log}")

    def __exit__(self, *exc):
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)  # its own session: the master and its workers only
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)


_local = threading.local()


def request(method: str, port: int, path: str, *, body=None, headers=None, timeout=30) -> tuple[int, dict, bytes]:
    """One HTTP request to 127.0.0.1:port over this thread's connection (reopened when the server closes it)."""
    connections = getattr(_local, "connections", None)
    if connections is None:
        connections = _local.connections = {}
    conn = connections.get(port)
    if conn is None:
        conn = connections[port] = HTTPConnection(HOST, port, timeout=timeout)
    payload = json.dumps(body).encode() if body is not None else None
    all_headers = {"Accept": "application/json", **(headers or {})}
    if payload is not None:
        all_headers["Content-Type"] = "application/json"
    try:
        conn.request(method, path, body=payload, headers=all_headers)
        response = conn.getresponse()
        data = response.read()
    except (ConnectionError, OSError):
        conn.close()
        raise
    if response.getheader("Connection", "").lower() == "close" or response.will_close:
        conn.close()
    return response.status, {k.lower(): v for k, v in response.getheaders()}, data


@dataclass
class Figures:
    """The result of driving one target: counts, rate and latency percentiles (milliseconds)."""

    name: str
    requests: int
    errors: int
    seconds: float
    per_second: float
    p50_ms: float
    p99_ms: float
    max_ms: float
    statuses: dict = field(default_factory=dict)
    extra: dict = field(default_factory=dict)

    def as_json(self) -> dict:
        return asdict(self)


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of the values; 0 when there are none."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(q / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def figures(name: str, latencies: list[float], seconds: float, *, errors=0, statuses=None, extra=None) -> Figures:
    ms = [v * 1000 for v in latencies]
    return Figures(
        name=name,
        requests=len(latencies),
        errors=errors,
        seconds=round(seconds, 2),
        per_second=round(len(latencies) / seconds, 1) if seconds else 0.0,
        p50_ms=round(percentile(ms, 50), 2),
        p99_ms=round(percentile(ms, 99), 2),
        max_ms=round(max(ms), 2) if ms else 0.0,
        statuses=statuses or {},
        extra=extra or {},
    )


def _drive_worker(port: int, paths: list[str], threads: int, duration: float, max_requests: int, offset: int):
    """One load-generator process: `threads` closed-loop clients, each GETting its paths in turn until the
    deadline or max_requests, whichever comes first. Returns (latencies, statuses, errors)."""
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    errors = [0]
    lock = threading.Lock()
    deadline = time.monotonic() + duration

    def client(index: int):
        mine, counts, failed = [], {}, 0
        i = offset + index
        while time.monotonic() < deadline and len(mine) + failed < max_requests:
            path = paths[i % len(paths)]
            i += 7919  # a prime step: the clients walk the paths in different orders
            started = time.perf_counter()
            try:
                status, _, _ = request("GET", port, path)
            except OSError:
                failed += 1
                continue
            mine.append(time.perf_counter() - started)
            counts[status] = counts.get(status, 0) + 1
        with lock:
            latencies.extend(mine)
            errors[0] += failed
            for status, n in counts.items():
                statuses[status] = statuses.get(status, 0) + n

    workers = [threading.Thread(target=client, args=(k,)) for k in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(duration + 60)
    return latencies, statuses, errors[0]


def drive_interleaved(
    targets: dict[str, list[str]],
    port: int,
    *,
    clients: int,
    processes: int,
    duration: float,
    rounds: int = 4,
    warmup: float = 2.0,
    max_requests_per_client: int = 200_000,
    progress=None,
) -> list[Figures]:
    """Closed-loop load on each target's GET paths for `duration` seconds in all, in `rounds` slices taken in
    turn (target A, B, C, then A, B, C again...), so that a change in the machine's background load touches
    every target alike and the ratios between them hold. `clients` clients are spread over `processes`
    processes (the GIL would otherwise make the generator the bottleneck). A short warm-up per target first."""
    per_process = max(1, clients // processes)
    slice_seconds = duration / rounds
    raw = {name: ([], {}, 0, 0.0) for name in targets}
    context = get_context("fork")
    with ProcessPoolExecutor(max_workers=processes, mp_context=context) as pool:
        if warmup:
            for paths in targets.values():
                warm = [pool.submit(_drive_worker, port, paths, per_process, warmup, 1000, 0) for _ in range(processes)]
                for future in warm:
                    future.result()
        for round_number in range(rounds):
            for name, paths in targets.items():
                started = time.monotonic()
                futures = [
                    pool.submit(
                        _drive_worker, port, paths, per_process, slice_seconds, max_requests_per_client,
                        (round_number * processes + k) * 1009,
                    )
                    for k in range(processes)
                ]  # fmt: skip
                results = [f.result() for f in futures]
                seconds = min(time.monotonic() - started, slice_seconds + 1)
                latencies, statuses, errors, total = raw[name]
                for lat, counts, failed in results:
                    latencies += lat
                    errors += failed
                    for status, n in counts.items():
                        statuses[status] = statuses.get(status, 0) + n
                raw[name] = (latencies, statuses, errors, total + seconds)
                if progress:
                    progress.write(f"  round {round_number + 1}/{rounds}, {name}: {len(latencies):,} requests\n")
    out = []
    for name, (latencies, statuses, errors, seconds) in raw.items():
        non_ok = sum(n for status, n in statuses.items() if status >= 400)
        out.append(figures(name, latencies, seconds, errors=errors + non_ok, statuses=statuses))
    return out


def drive(name: str, port: int, paths: list[str], **kwargs) -> Figures:
    """One target alone (see drive_interleaved), in one slice."""
    return drive_interleaved({name: paths}, port, rounds=1, **kwargs)[0]


def machine() -> dict:
    """The machine the figures were measured on."""
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory_gb = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory_gb = round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "nproc": os.cpu_count(),
        "memory_gb": memory_gb,
        "cpu": cpu,
        "python": platform.python_version(),
        "load_average": os.getloadavg() if hasattr(os, "getloadavg") else None,
    }


def postgres_version() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        return cursor.fetchone()[0]


def print_table(rows: list[Figures], *, reference: str | None = None, out=sys.stdout) -> None:
    base = next((r for r in rows if r.name == reference), None)
    header = f"{'target':<34} {'requests':>9} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7}"
    if base:
        header += f" {'vs ' + reference:>14}"
    out.write(header + "\n" + "-" * len(header) + "\n")
    for r in rows:
        line = f"{r.name:<34} {r.requests:>9} {r.per_second:>9.1f} {r.p50_ms:>8.2f} {r.p99_ms:>8.2f} {r.errors:>7}"
        if base:
            line += f" {r.per_second / base.per_second if base.per_second else 0:>14.2f}"
        out.write(line + "\n")


def save(name: str, data: dict) -> Path:
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    path = RESULTS_DIR / f"{name}-{datetime.now(UTC):%Y%m%dT%H%M%S}.json"
    path.write_text(json.dumps(data, indent=2, default=str))
    return path


def timed(label: str, action: Callable, out=sys.stdout):
    started = time.monotonic()
    out.write(f"{label}... ")
    out.flush()
    result = action()
    out.write(f"{time.monotonic() - started:.1f} s\n")
    return result
