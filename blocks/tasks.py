"""Celery tasks of the registry: thin and idempotent. Each calls one service, which claims its job by a
conditional UPDATE of the job's status, so that a task delivered twice does its work once.

The task names keep the `auctions.` prefix they had before the registry became an app of its own, so that
messages already queued and the beat entries stay valid.
"""

from celery import shared_task

from blocks import imports


@shared_task(name="auctions.block_import_validate")
def block_import_validate(job_id: int) -> None:
    imports.block_import_validate(job_id=job_id)


@shared_task(name="auctions.block_import_run")
def block_import_run(job_id: int) -> None:
    imports.block_import_run(job_id=job_id)


@shared_task(name="blocks.import_sweep")
def block_import_sweep() -> int:
    """Send again the import jobs whose worker died or whose task was lost; they resume where they stopped."""
    return imports.block_import_sweep()
