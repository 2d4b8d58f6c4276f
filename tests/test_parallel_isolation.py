"""`make test` runs the suite in parallel processes (pytest-xdist workers gw0, gw1, ...); each has its own Redis
database (cache, room-change channel, Celery broker), Celery queue and var directory (config/parallel_tests.py),
so that one worker's tests never read, clear or take what another's wrote or sent.

The Celery test is end to end: a task sent from this process is not taken by a real Celery worker started as
another xdist worker's tests start theirs, and is taken by one started as this worker's tests do.
"""

import json
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from config import parallel_tests
from config.celery import app
from tests.conftest import require_service
from tests.processes import ROOT, celery_worker

WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")


@pytest.mark.parametrize(
    ("url", "worker", "databases", "expected"),
    [
        ("redis://127.0.0.1:6379/0", "", 16, "redis://127.0.0.1:6379/0"),
        ("redis://127.0.0.1:6379/0", "gw0", 16, "redis://127.0.0.1:6379/0"),
        ("redis://127.0.0.1:6379/0", "gw1", 16, "redis://127.0.0.1:6379/1"),
        ("redis://127.0.0.1:6379", "gw3", 16, "redis://127.0.0.1:6379/3"),
        ("redis://:secret@redis.internal:6380/20", "gw2", 64, "redis://:secret@redis.internal:6380/22"),
        ("redis://127.0.0.1:6379/10", "gw5", 16, "redis://127.0.0.1:6379/15"),
    ],
)
def test_each_worker_has_the_redis_database_after_the_urls(url, worker, databases, expected):
    assert parallel_tests.worker_redis_url(url, worker, databases) == expected


def test_a_worker_beyond_the_servers_databases_is_refused_with_what_to_do():
    with pytest.raises(ImproperlyConfigured, match="would use Redis database 16 .* the server has 16 databases"):
        parallel_tests.worker_redis_url("redis://127.0.0.1:6379/10", "gw6", 16)


def test_each_worker_has_its_own_queue_and_var_directory():
    workers = ["gw0", "gw1", "gw2"]
    assert len({parallel_tests.worker_celery_queue(w) for w in workers}) == 3
    assert parallel_tests.worker_celery_queue("") == "celery"
    var_dirs = [parallel_tests.worker_var_dir("var/test", w) for w in workers]
    assert var_dirs == ["var/test/gw0", "var/test/gw1", "var/test/gw2"]
    assert parallel_tests.worker_var_dir("var/test", "") == "var/test"
    # A process started by a test inherits the worker's directory and keeps it.
    assert parallel_tests.worker_var_dir("var/test/gw1", "gw1") == "var/test/gw1"


def test_this_process_has_its_workers_settings():
    assert parallel_tests.worker_celery_queue(WORKER) == settings.CELERY_TASK_DEFAULT_QUEUE
    if WORKER:
        assert Path(settings.VAR_DIR).name == WORKER
    if settings.REDIS_URL:
        base = os.environ["REDIS_URL"]
        expected = parallel_tests.worker_redis_url(base, WORKER, parallel_tests.server_databases(base))
        assert settings.REDIS_URL == settings.CELERY_BROKER_URL == settings.CACHES["default"]["LOCATION"] == expected

        from auctions.room import stream as room_stream

        assert room_stream.channel() == f"khanij:{parallel_tests.redis_database(expected)}:room-changes"


def test_a_process_started_by_a_test_has_the_same_settings():
    code = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        "print(json.dumps([s.REDIS_URL, s.CELERY_BROKER_URL, s.CELERY_TASK_DEFAULT_QUEUE, str(s.VAR_DIR)]))"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.test_settings"}
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=True
    )
    child = json.loads(result.stdout.strip().splitlines()[-1])
    mine = [settings.REDIS_URL, settings.CELERY_BROKER_URL, settings.CELERY_TASK_DEFAULT_QUEUE, str(settings.VAR_DIR)]
    assert child == mine


@pytest.mark.redis
def test_a_task_sent_here_is_taken_by_this_workers_celery_worker_only(tmp_path):
    require_service(bool(settings.REDIS_URL), "needs Redis: set REDIS_URL=redis://... (CI does)")
    # Another xdist worker of this run, one that does not exist (gwN for N workers), so that its Celery worker
    # takes nothing of a real one; outside xdist, gw0, which shares this process's Redis database.
    other = f"gw{os.environ.get('PYTEST_XDIST_WORKER_COUNT', '0')}"
    queue, other_queue = settings.CELERY_TASK_DEFAULT_QUEUE, parallel_tests.worker_celery_queue(other)
    # The Celery workers never touch a real database: the probe needs none.
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.test_settings",
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'unused.sqlite3'}",
    }
    env_other = {**env, "PYTEST_XDIST_WORKER": other}
    probe = f"khanij.test.isolation-probe-{uuid.uuid4().hex[:8]}"  # a task no worker knows: it has no effect
    client = redis.Redis.from_url(settings.REDIS_URL)
    other_client = redis.Redis.from_url(
        parallel_tests.worker_redis_url(
            os.environ["REDIS_URL"], other, parallel_tests.server_databases(settings.REDIS_URL)
        )
    )
    # The tasks this worker's earlier tests sent (on commit) and that no Celery worker of theirs took, and what an
    # earlier run left in the other queue: nothing will run them, and the Celery workers here must not.
    client.delete(queue)
    other_client.delete(other_queue)
    try:
        with celery_worker(env_other, tmp_path / "other.log", queue=other_queue):
            app.send_task(probe)  # routed as every task this process sends: to its default queue
            time.sleep(3)  # a Celery worker waiting on a queue takes a message within milliseconds
            waiting = client.lrange(queue, 0, -1)
            assert len(waiting) == 1 and probe.encode() in waiting[0], f"the task left {queue}: {waiting}"
            assert probe not in (tmp_path / "other.log").read_text()
        with celery_worker(env, tmp_path / "mine.log", queue=queue):
            deadline = time.monotonic() + 30
            while probe not in (tmp_path / "mine.log").read_text() and time.monotonic() < deadline:
                time.sleep(0.2)
        assert f"Received unregistered task of type '{probe}'" in (tmp_path / "mine.log").read_text()
        assert client.llen(queue) == 0
    finally:
        client.delete(queue)
        client.close()
        other_client.close()
