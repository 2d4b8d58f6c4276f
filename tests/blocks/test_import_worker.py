"""End to end on real services: a Celery worker (a separate process) on Redis checks and imports an uploaded
file into the test database on PostgreSQL."""

import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from blocks import imports
from blocks.models import Block, BlockImport
from tests.conftest import require_service
from tests.factories.block_imports import block_row, csv_text, feature, geojson_text

BASE_DIR = Path(__file__).resolve().parents[2]
WAIT_SECONDS = 60

pytestmark = [pytest.mark.postgres, pytest.mark.redis]


def _database_url() -> str:
    """The test database (not the development one) as a URL for the worker."""
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or 'localhost'}:{s['PORT'] or 5432}/{s['NAME']}"


@pytest.fixture
def celery_worker_process(postgres, transactional_db):
    require_service(bool(os.environ.get("REDIS_URL")), "needs Redis: set REDIS_URL=redis://... (CI does)")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.test_settings",
        "DATABASE_URL": _database_url(),
        "REDIS_URL": os.environ["REDIS_URL"],
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "CONN_MAX_AGE": "0",
    }
    log = tempfile.NamedTemporaryFile("w+", prefix="celery-worker-", suffix=".log", delete=False)  # noqa: SIM115
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--pool=solo",
            "--loglevel=INFO",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            # Only this xdist worker's queue (config/parallel_tests.py): never another worker's import.
            f"--queues={settings.CELERY_TASK_DEFAULT_QUEUE}",
            f"--hostname=test-import-{uuid.uuid4().hex[:8]}@%h",
        ],
        cwd=BASE_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        yield process, log.name
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
        log.close()
        os.unlink(log.name)


def wait_for(job: BlockImport, statuses, process, log_path) -> BlockImport:
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.status in statuses:
            return job
        if process.poll() is not None:
            pytest.fail(f"The Celery worker stopped (exit {process.returncode}):\n{Path(log_path).read_text()}")
        time.sleep(0.2)
    pytest.fail(
        f"Import {job.pk} still {job.status} after {WAIT_SECONDS}s (wanted {statuses}). Worker log:\n"
        f"{Path(log_path).read_text()}"
    )


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_real_worker_checks_and_imports_an_uploaded_file(celery_worker_process, regulator):
    process, log_path = celery_worker_process
    rows = [
        block_row(
            "WRK-LI-01",
            resource_1_mineral="lithium",
            resource_1_quantity_tonnes="1000",
            resource_1_price_per_tonne="5000",
        ),
        block_row("WRK-AU-02", minerals="Gold", state="Karnataka", exploration_stage="G2"),
        block_row("WRK-BAD-03", state="Atlantis"),
    ]
    features = [feature("WRK-LI-01", 82.0, 21.0), feature("WRK-AU-02", 76.6, 16.2), feature("WRK-BAD-03", 83.0, 21.0)]

    # No transaction around the upload (transactional_db): the task is sent to Redis as the upload commits.
    job = imports.block_import_start(
        actor=regulator,
        csv_name="blocks.csv",
        csv_data=csv_text(rows).encode(),
        geojson_name="boundaries.geojson",
        geojson_data=geojson_text(*features).encode(),
    )
    job = wait_for(job, {BlockImport.Status.VALIDATED, BlockImport.Status.FAILED}, process, log_path)
    assert job.status == BlockImport.Status.VALIDATED, job.error
    assert (job.total_rows, job.validated_rows) == (3, 3)
    assert [(r["row"], r["code"]) for r in job.rejected_rows] == [(4, "WRK-BAD-03")]
    assert not Block.objects.exists()

    imports.block_import_confirm(actor=regulator, job=job, valid_only=True)
    job = wait_for(job, {BlockImport.Status.IMPORTED, BlockImport.Status.FAILED}, process, log_path)
    assert job.status == BlockImport.Status.IMPORTED, job.error
    assert (job.imported_rows, job.created_codes) == (2, ["WRK-LI-01", "WRK-AU-02"])
    blocks = {b.code: b for b in Block.objects.all()}
    assert set(blocks) == {"WRK-LI-01", "WRK-AU-02"}
    assert (blocks["WRK-LI-01"].auction_authority, blocks["WRK-LI-01"].lease_kind) == ("central", "CL")
    assert blocks["WRK-LI-01"].value_of_estimated_resources == 5_000_000
    assert (blocks["WRK-AU-02"].auction_authority, blocks["WRK-AU-02"].lease_kind) == ("state", "ML")
