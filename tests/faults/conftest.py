"""Fault tests start services of their own (never the suite's shared ones) and break them on purpose."""

import contextlib
import os
import signal
import subprocess
import time

import pytest
import redis

from tests.conftest import require_service
from tests.processes import free_port

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
