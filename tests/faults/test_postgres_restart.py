"""A PostgreSQL restart costs no request an error once the server is back (issue 12).

Gunicorn (threads keeping their database connections, as in production) serves a PostgreSQL cluster of this test's
own, on a free port (never the suite's). The test warms every thread's connection, restarts PostgreSQL, and asks
again: before `CONN_HEALTH_CHECKS`, one request per kept connection failed with a 500 on its dead connection.
Marked `serial`: `make test` runs it after the parallel suite.
"""

import sys
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.faults.conftest import migrate, production_env
from tests.processes import free_port, get, serving

pytestmark = pytest.mark.serial

THREADS = 4


def _ask_all(base: str, n: int) -> list[int]:
    """n requests at once, so that every thread of the server answers one."""
    with ThreadPoolExecutor(n) as pool:
        return list(pool.map(lambda _: get(f"{base}/api/v1/public/minerals")[0], range(n)))


def test_no_request_fails_after_postgresql_restarts(own_postgres, tmp_path):
    env = production_env(tmp_path / "var", own_postgres.url, CONN_MAX_AGE="600")
    migrate(env)
    port = free_port()
    command = [sys.executable, "-m", "gunicorn", "config.wsgi:application", "--bind", f"127.0.0.1:{port}",
               "--workers", "1", "--worker-class", "gthread", "--threads", str(THREADS)]  # fmt: skip
    with serving(command, env, tmp_path / "gunicorn.log", port) as base:
        for _ in range(5):  # every thread opens and keeps its connection
            assert set(_ask_all(base, THREADS * 2)) == {200}
        own_postgres.restart()
        started = time.monotonic()
        after = [status for _ in range(5) for status in _ask_all(base, THREADS * 2)]
        took = time.monotonic() - started
    assert after == [200] * len(after), f"answers after the restart: {after}"
    assert took < 30
