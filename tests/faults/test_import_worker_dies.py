"""A block import whose worker dies is taken over and finished, each row registered exactly once (issue 12).

A real Celery worker (a separate process, on Redis) imports a file; the test kills it (SIGKILL) part way, and the
job is left `importing`. The sweeper sees the job without a sign of life, sends its task again, and a second
worker takes the job over and resumes where the first stopped. Marked `serial` (it runs after the parallel
suite): it starts and kills worker processes.
"""

import os
import signal
import time
from pathlib import Path

import pytest
from django.db import connection

from blocks import imports
from blocks.models import Block, BlockImport
from tests.conftest import require_service
from tests.factories.block_imports import block_row, csv_text, feature, geojson_text
from tests.processes import celery_worker

pytestmark = [
    pytest.mark.serial,
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

ROWS = 80
STALE_AFTER = 2  # seconds without a sign of life before a job is taken over (BLOCK_IMPORT_STALE_AFTER)


def _env() -> dict:
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.test_settings",
        "DATABASE_URL": f"postgres://{auth}@{s['HOST'] or 'localhost'}:{s['PORT'] or 5432}/{s['NAME']}",
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "CONN_MAX_AGE": "0",
        "BLOCK_IMPORT_STALE_AFTER": str(STALE_AFTER),
    }


def _until(check, *, seconds: float, what: str, log: Path):
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, f"{what} did not happen in {seconds} s:\n{log.read_text()[-3000:]}"
        time.sleep(0.02)


def test_a_worker_killed_during_an_import_leaves_a_job_another_worker_finishes_exactly_once(
    postgres, regulator, tmp_path, settings
):
    require_service(bool(os.environ.get("REDIS_URL")), "needs Redis: set REDIS_URL=redis://... (CI does)")
    codes = [f"DIE-{n:03d}" for n in range(ROWS)]
    rows = [block_row(code) for code in codes]
    features = [feature(code, 80.0 + (n % 10) * 0.05, 20.0 + (n // 10) * 0.05) for n, code in enumerate(codes)]
    job = imports.block_import_start(
        actor=regulator,
        csv_name="many.csv",
        csv_data=csv_text(rows).encode(),
        geojson_name="many.geojson",
        geojson_data=geojson_text(*features).encode(),
    )
    imports.block_import_validate(job_id=job.pk)  # checked here; the queued check will find nothing to do
    job.refresh_from_db()
    assert job.status == BlockImport.Status.VALIDATED and not job.rejected_rows
    imports.block_import_confirm(actor=regulator, job=job, valid_only=False)

    queue = settings.CELERY_TASK_DEFAULT_QUEUE
    first_log, second_log = tmp_path / "first.log", tmp_path / "second.log"
    with celery_worker(_env(), first_log, queue=queue) as first:
        _until(
            lambda: BlockImport.objects.get(pk=job.pk).imported_rows >= 10,
            seconds=60,
            what="the first worker importing 10 rows",
            log=first_log,
        )
        first.send_signal(signal.SIGKILL)  # dies mid-import: no chance to record anything
        first.wait(timeout=10)
    job.refresh_from_db()
    made_before = Block.objects.filter(code__in=codes).count()
    assert job.status == BlockImport.Status.IMPORTING
    assert 10 <= made_before < ROWS, "the worker was killed part way"

    time.sleep(STALE_AFTER + 0.5)
    settings.BLOCK_IMPORT_STALE_AFTER = STALE_AFTER
    assert imports.block_import_sweep() == 1  # the job, without a sign of life, gets its task again
    with celery_worker(_env(), second_log, queue=queue):
        _until(
            lambda: BlockImport.objects.get(pk=job.pk).status == BlockImport.Status.IMPORTED,
            seconds=60,
            what="the second worker finishing the job",
            log=second_log,
        )
    job.refresh_from_db()
    assert sorted(Block.objects.filter(code__in=codes).values_list("code", flat=True)) == codes  # each once
    assert Block.objects.filter(import_job=job).count() == ROWS
    assert job.created_codes == codes and job.import_failures == [] and job.imported_rows == ROWS
    assert imports.block_import_sweep() == 0  # nothing left to take over
