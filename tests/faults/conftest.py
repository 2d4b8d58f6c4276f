"""Fault tests start services of their own (never the suite's shared ones) and break them on purpose."""

import contextlib
import dataclasses
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
import redis

from tests.conftest import require_service
from tests.processes import ROOT, free_port, khanij_env

REDIS_SERVER = "/usr/bin/redis-server"


@contextlib.contextmanager
def redis_server(directory, port: int | None = None):
    """A Redis on loopback `port` (a free one by default); yields (url, process), always stopped."""
    require_service(os.path.exists(REDIS_SERVER), "needs redis-server (Debian's redis-server package; CI installs it)")
    port = port or free_port()
    process = subprocess.Popen(
        [REDIS_SERVER, "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no",
         "--dir", str(directory)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"redis://127.0.0.1:{port}/0"
    deadline = time.monotonic() + 10
    while True:
        try:
            redis.Redis.from_url(url, socket_connect_timeout=0.2).ping()
            break
        except redis.RedisError:
            assert process.poll() is None and time.monotonic() < deadline, "the test's own Redis did not start"
            time.sleep(0.05)
    try:
        yield url, process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGCONT)
            process.kill()
        process.wait(timeout=10)


@pytest.fixture
def own_redis(tmp_path):
    """A Redis of this test's own; yields (url, process)."""
    with redis_server(tmp_path) as server:
        yield server


PG_BIN = Path("/usr/lib/postgresql/15/bin")


def _pg_bin() -> Path | None:
    if (PG_BIN / "initdb").exists():
        return PG_BIN
    found = shutil.which("pg_ctl")
    return Path(found).resolve().parent if found else None


def _as_postgres(command: list[str]) -> list[str]:
    """initdb and postgres refuse root: as root (CI), run them as the postgres user."""
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


@dataclasses.dataclass
class PostgresServer:
    """A PostgreSQL cluster of a test's own: `url` of its database `khanij_fault`, and pg_ctl's acts on it."""

    url: str
    pg_ctl: list[str]

    def _run(self, *args: str) -> None:
        subprocess.run(_as_postgres([*self.pg_ctl, *args]), check=True, capture_output=True)

    def restart(self) -> None:
        self._run("-m", "fast", "restart")

    def stop(self) -> None:
        """Stopped at once (`-m immediate`: every connection cut, as when the server or its machine dies)."""
        self._run("-m", "immediate", "stop")

    def start(self) -> None:
        self._run("start")

    @contextlib.contextmanager
    def down(self):
        """Stopped (`stop`) for the block, started again when it ends, however it ends."""
        self.stop()
        try:
            yield
        finally:
            self.start()


@contextlib.contextmanager
def postgres_server():
    """A PostgreSQL cluster on a free loopback port (never the suite's), with an empty database `khanij_fault`;
    yields its PostgresServer, always stopped and removed."""
    bin_dir = _pg_bin()
    require_service(bin_dir is not None, "needs PostgreSQL 15's server binaries (Debian's postgresql-15; CI has them)")
    # A directory the postgres user can reach (pytest's tmp_path, under root's 700 directory, it cannot).
    tmp_path = Path(tempfile.mkdtemp(prefix="khanij-fault-pg-"))
    tmp_path.chmod(0o755)
    if os.geteuid() == 0:
        shutil.chown(tmp_path, "postgres")
    data, port = tmp_path / "pg", free_port()
    subprocess.run(
        _as_postgres([str(bin_dir / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "--no-locale"]),
        check=True,
        capture_output=True,
    )
    options = f"-c listen_addresses=127.0.0.1 -p {port} -k {tmp_path} -c fsync=off"
    server = PostgresServer(
        url=f"postgres://postgres@127.0.0.1:{port}/khanij_fault",
        pg_ctl=[str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(tmp_path / "pg.log"), "-w", "-o", options],
    )
    try:
        server.start()
        subprocess.run(
            [str(bin_dir / "psql"), "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "-qc",
             "CREATE DATABASE khanij_fault", "postgres"],
            check=True,
            capture_output=True,
        )  # fmt: skip
        yield server
    finally:
        subprocess.run(_as_postgres([*server.pg_ctl, "-m", "immediate", "stop"]), capture_output=True)
        shutil.rmtree(tmp_path, ignore_errors=True)


@pytest.fixture
def own_postgres():
    """A PostgreSQL cluster of this test's own; yields its PostgresServer."""
    with postgres_server() as server:
        yield server


def production_env(var_dir: Path, database_url: str, **overrides) -> dict:
    """The environment of a production process (the real settings, DEBUG off, keys of the tests' own) on
    `database_url`, with no Redis unless `overrides` give one."""
    return khanij_env(
        var_dir,
        DATABASE_URL=database_url,
        DEBUG="false",
        SECURE_SSL_REDIRECT="false",
        SECRET_KEY="fault-test-secret-" + "x" * 40,
        SEALED_OFFER_KEY="ZmF1bHQtdGVzdC1zZWFsaW5nLWtleS0zMi1ieXRlcyE=",
        LEDGER_SIGNING_KEY="P7zmqDdVdqT517J0wKxrMaeKdZdzlqFlgrlWA7MPfdE=",
        **overrides,
    )


def migrate(env: dict) -> None:
    """`manage.py migrate` on the database of `env` (a cluster of the test's own)."""
    migrated = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert migrated.returncode == 0, migrated.stderr[-3000:]
