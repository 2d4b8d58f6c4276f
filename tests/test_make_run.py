"""`make run`, as a newcomer types it: migrate, seed, print the URL and the accounts, start web, worker and beat
on the embedded defaults (SQLite, filesystem broker), serve the portal; Ctrl-C stops all three."""

import json
import os
import re
import shutil
import signal
import subprocess
import time
from pathlib import Path

from tests.processes import ROOT, free_port, get, khanij_env, manage


def wait_for(predicate, timeout: float, what: str, log: Path):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(0.25)
    raise AssertionError(f"{what} did not happen within {timeout}s:\n{log.read_text()[-4000:]}")


def alive(pid: int) -> bool:
    stat = Path(f"/proc/{pid}/stat")
    if Path("/proc").is_dir():
        try:
            return stat.read_text().split(")")[-1].split()[0] != "Z"  # a zombie has stopped
        except FileNotFoundError:
            return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def processes_using(var_dir: Path) -> list[int]:
    """Processes whose environment names this run's var directory: what `make run` started (Linux)."""
    found = []
    for entry in Path("/proc").iterdir() if Path("/proc").is_dir() else []:
        if entry.name.isdigit():
            try:
                if str(var_dir).encode() in (entry / "environ").read_bytes() and alive(int(entry.name)):
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def test_make_run_serves_the_seeded_portal_with_worker_and_beat_and_ctrl_c_stops_all(tmp_path):
    make = shutil.which("make")
    assert make, "make run needs make"
    port = free_port()
    var_dir = tmp_path / "var"
    log = tmp_path / "make-run.log"
    env = khanij_env(var_dir, PORT=str(port))
    env.pop("DEBUG")  # make run sets it itself
    env.pop("DJANGO_SETTINGS_MODULE")
    env.pop("DATABASE_URL")
    env.pop("REDIS_URL")

    with log.open("w") as log_file:
        run = subprocess.Popen(
            [make, "run"], cwd=ROOT, env=env, stdout=log_file, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        base = f"http://127.0.0.1:{port}"

        def healthy():
            try:
                status, _, body = get(base + "/healthz")
            except OSError:
                return None
            return status == 200 and json.loads(body)

        checks = wait_for(healthy, 180, "the portal answering on /healthz", log)
        assert checks["checks"] == {"database": "ok", "broker": "ok"}
        wait_for(lambda: "celery@" in log.read_text() and " ready." in log.read_text(), 60, "worker ready", log)
        wait_for(lambda: "beat: Starting" in log.read_text(), 60, "beat starting", log)
        output = log.read_text()

        assert f"http://127.0.0.1:{port}/" in output
        assert re.search(r"regulator\s+khanij-regulator", output) and re.search(r"admin\s+khanij-admin", output)
        assert "transport:   filesystem://" in output and "broker -> filesystem://" in output
        assert "No hostname was supplied" not in output  # the embedded broker is named as kombu expects
        status, _, home = get(base + "/")
        assert status == 200
        status, _, listing = get(base + "/blocks/")
        assert status == 200 and "Katghora" in listing
        # The full dumps are there from the start (make run builds them after seeding), not after the hourly task.
        status, _, manifest = get(base + "/data/manifest.json")
        assert status == 200, manifest
        dumped = {entry["name"]: entry["rows"] for entry in json.loads(manifest)["files"]}
        assert {"auctions.csv", "offers.csv", "clearances.csv", "ocds/all.json"} <= set(dumped), dumped
        assert dumped["auctions.csv"] > 0 and dumped["clearances.csv"] > 0, dumped
        started = [int(pid) for pid in re.findall(r"\w+\.1 started \(pid=(\d+)\)", output)]
        assert len(started) == 3, output[-3000:]

        # A notice's mail links to the portal on the port it listens on, whichever process of make run writes it (the
        # web for a click, the worker for a task): honcho gives each a PORT of its own, which SITE_URL must not follow.
        # The notice is made here with the environment make run gave its worker, and the worker mails it.
        worker = [p for p in processes_using(var_dir) if b"config\x00worker" in Path(f"/proc/{p}/cmdline").read_bytes()]
        assert worker, "make run started no worker"
        environ = Path(f"/proc/{worker[0]}/environ").read_bytes().split(b"\0")
        worker_env = dict(item.decode().split("=", 1) for item in environ if b"=" in item)
        assert worker_env["PORT"] != str(port)  # honcho's, for the worker
        notify = (
            "from django.contrib.auth import get_user_model; from notifications.services import notification_send; "
            "notification_send(users=[get_user_model().objects.get(username='regulator')], title='Port check', "
            "url='/regulator/tranches/')"
        )
        manage(worker_env, "shell", "-c", notify)
        wait_for(lambda: "Subject: Port check" in log.read_text(), 60, "the worker mailing the notice", log)
        mail = log.read_text().split("Subject: Port check", 1)[1][:2000]
        assert f"http://127.0.0.1:{port}/regulator/tranches/" in mail, mail
        # The mails of the seeded demo (payments due, clearance stages, written by make run's seed commands) too.
        ports = set(re.findall(r"http://127\.0\.0\.1:(\d+)/", log.read_text()))
        assert ports == {str(port)}, f"links to other ports in make run's output: {ports}"

        # Beat dies (as it did when the database went away): make run starts it again by itself.
        beat = [p for p in processes_using(var_dir) if b"config\x00beat" in Path(f"/proc/{p}/cmdline").read_bytes()]
        assert len(beat) == 1, beat
        os.kill(beat[0], signal.SIGKILL)
        wait_for(lambda: "Beat stopped (exit" in log.read_text(), 30, "make run noticing beat stopped", log)
        wait_for(lambda: log.read_text().count("beat: Starting") >= 2, 60, "beat starting again", log)
        assert get(base + "/healthz")[0] == 200  # the rest went on meanwhile

        os.killpg(run.pid, signal.SIGINT)  # Ctrl-C in the terminal
        run.wait(timeout=30)

        assert not [pid for pid in started if alive(pid)], "a process of make run outlived Ctrl-C"
        wait_for(lambda: not processes_using(var_dir), 10, "every process of make run exiting", log)
    finally:
        if run.poll() is None:
            os.killpg(run.pid, signal.SIGKILL)
            run.wait()
        for pid in processes_using(var_dir):
            os.kill(pid, signal.SIGKILL)
