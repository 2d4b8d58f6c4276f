"""Helpers for tests that run Khanij as a real process (manage.py, gunicorn) and talk to it over HTTP."""

import contextlib
import http.cookiejar
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Variables of the test process that must not leak into a server started as a user would start it.
SUITE_ONLY = ("DJANGO_SETTINGS_MODULE", "SECRET_KEY", "KHANIJ_VAR_DIR", "DATABASE_URL", "REDIS_URL")


def free_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def khanij_env(var_dir: Path, **overrides) -> dict:
    """The environment of `make run`: DEBUG on, the real settings, SQLite and the filesystem broker in var_dir."""
    env = {k: v for k, v in os.environ.items() if k not in SUITE_ONLY}
    env.update(
        DEBUG="true",
        DJANGO_SETTINGS_MODULE="config.settings",
        KHANIJ_VAR_DIR=str(var_dir),
        DATABASE_URL=f"sqlite:///{var_dir / 'khanij.sqlite3'}",
        REDIS_URL="",  # set but empty, so that a developer's .env cannot switch the broker to Redis
        PYTHONUNBUFFERED="1",
    )
    env.update(overrides)
    return env


def manage(env: dict, *args: str, timeout: int = 300) -> str:
    """Run `python manage.py ARGS`, fail with its output if it fails, return its output."""
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )
    assert result.returncode == 0, f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
    return result.stdout


def stop(process: subprocess.Popen, timeout: float = 15) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextlib.contextmanager
def serving(command: list[str], env: dict, log: Path, port: int, *, ready_path: str = "/healthz", timeout=60):
    """Start a server, wait until it answers on `port`, yield its base URL, always stop it."""
    with log.open("w") as log_file:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log_file, stderr=subprocess.STDOUT)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + timeout
        while True:
            assert process.poll() is None, f"the server stopped:\n{log.read_text()[-3000:]}"
            assert time.monotonic() < deadline, f"the server did not answer in {timeout}s:\n{log.read_text()[-3000:]}"
            try:
                get(base + ready_path)
                break
            except OSError:
                time.sleep(0.2)
        yield base
    finally:
        stop(process)


def get(url: str, opener=None, data: bytes | None = None) -> tuple[int, str, str]:
    """(status, final URL, body) of a GET (or a POST with data); HTTP errors are answers, not exceptions."""
    opener = opener or urllib.request.build_opener()
    try:
        with opener.open(url, data=data, timeout=30) as response:
            return response.status, response.geturl(), response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.geturl(), exc.read().decode()


def browser() -> urllib.request.OpenerDirector:
    """An opener that keeps cookies, as a browser does (sessions, CSRF)."""
    return urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))


@contextlib.contextmanager
def celery_worker(env: dict, log: Path, *, queue: str, timeout: float = 60, pool: tuple[str, ...] = ("--pool=solo",)):
    """A real Celery worker (`celery -A config worker`, solo pool unless `pool` says otherwise) in `env`, consuming
    `queue` only; yields the process once it is ready, and always stops it."""
    command = [
        sys.executable, "-m", "celery", "-A", "config", "worker", *pool, "--loglevel=INFO",
        "--without-gossip", "--without-mingle", "--without-heartbeat", f"--queues={queue}",
        f"--hostname=test-{queue}-{os.getpid()}@%h",
    ]  # fmt: skip
    with log.open("w") as log_file:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log_file, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + timeout
        while " ready." not in log.read_text():
            assert process.poll() is None, f"the Celery worker stopped:\n{log.read_text()[-3000:]}"
            assert time.monotonic() < deadline, f"the Celery worker was not ready in {timeout}s:\n{log.read_text()}"
            time.sleep(0.2)
        yield process
    finally:
        stop(process)


@contextlib.contextmanager
def celery_beat(env: dict, log: Path, *, timeout: float = 60):
    """Celery beat (`celery -A config beat`, the scheduler of the settings) in `env`; yields the process once it
    has started, and always stops it."""
    command = [sys.executable, "-m", "celery", "-A", "config", "beat", "--loglevel=INFO"]
    with log.open("w") as log_file:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log_file, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + timeout
        while "beat: Starting..." not in log.read_text():
            assert process.poll() is None, f"Celery beat stopped:\n{log.read_text()[-3000:]}"
            assert time.monotonic() < deadline, f"Celery beat did not start in {timeout}s:\n{log.read_text()}"
            time.sleep(0.2)
        yield process
    finally:
        stop(process)
