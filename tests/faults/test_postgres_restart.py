"""A PostgreSQL restart costs no request an error once the server is back (issue 12).

Gunicorn (threads keeping their database connections, as in production) serves a PostgreSQL cluster of this test's
own, on a free port (never the suite's). The test warms every thread's connection, restarts PostgreSQL, and asks
again: before `CONN_HEALTH_CHECKS`, one request per kept connection failed with a 500 on its dead connection.
Marked `serial`: `make test` runs it after the parallel suite.
"""

import os
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.conftest import require_service
from tests.processes import ROOT, free_port, get, khanij_env, serving

pytestmark = pytest.mark.serial

THREADS = 4
PG_BIN = Path("/usr/lib/postgresql/15/bin")


def _pg_bin() -> Path | None:
    if (PG_BIN / "initdb").exists():
        return PG_BIN
    found = shutil.which("pg_ctl")
    return Path(found).resolve().parent if found else None


def _as_postgres(command: list[str]) -> list[str]:
    """initdb and postgres refuse root: as root (CI), run them as the postgres user."""
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


@pytest.fixture
def own_postgres():
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
    pg_ctl = [str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(tmp_path / "pg.log"), "-w", "-o", options]
    subprocess.run(_as_postgres([*pg_ctl, "start"]), check=True, capture_output=True)
    try:
        subprocess.run(
            [str(bin_dir / "psql"), "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "-qc",
             "CREATE DATABASE khanij_fault", "postgres"],
            check=True,
            capture_output=True,
        )  # fmt: skip
        yield (
            f"postgres://postgres@127.0.0.1:{port}/khanij_fault",
            lambda: subprocess.run(_as_postgres([*pg_ctl, "-m", "fast", "restart"]), check=True, capture_output=True),
        )
    finally:
        subprocess.run(_as_postgres([*pg_ctl, "-m", "immediate", "stop"]), capture_output=True)
        shutil.rmtree(tmp_path, ignore_errors=True)


def _ask_all(base: str, n: int) -> list[int]:
    """n requests at once, so that every thread of the server answers one."""
    with ThreadPoolExecutor(n) as pool:
        return list(pool.map(lambda _: get(f"{base}/api/v1/public/minerals")[0], range(n)))


def test_no_request_fails_after_postgresql_restarts(own_postgres, tmp_path):
    database_url, restart = own_postgres
    env = khanij_env(tmp_path / "var", DATABASE_URL=database_url, DEBUG="false", SECURE_SSL_REDIRECT="false",
                     SECRET_KEY="fault-test-secret-" + "x" * 40, CONN_MAX_AGE="600",
                     SEALED_OFFER_KEY="ZmF1bHQtdGVzdC1zZWFsaW5nLWtleS0zMi1ieXRlcyE=",
                     LEDGER_SIGNING_KEY="P7zmqDdVdqT517J0wKxrMaeKdZdzlqFlgrlWA7MPfdE=")  # fmt: skip
    migrated = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert migrated.returncode == 0, migrated.stderr[-3000:]
    port = free_port()
    command = [sys.executable, "-m", "gunicorn", "config.wsgi:application", "--bind", f"127.0.0.1:{port}",
               "--workers", "1", "--worker-class", "gthread", "--threads", str(THREADS)]  # fmt: skip
    with serving(command, env, tmp_path / "gunicorn.log", port) as base:
        for _ in range(5):  # every thread opens and keeps its connection
            assert set(_ask_all(base, THREADS * 2)) == {200}
        restart()
        started = time.monotonic()
        after = [status for _ in range(5) for status in _ask_all(base, THREADS * 2)]
        took = time.monotonic() - started
    assert after == [200] * len(after), f"answers after the restart: {after}"
    assert took < 30
