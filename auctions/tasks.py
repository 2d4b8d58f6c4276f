"""Celery tasks: thin and idempotent. Each calls one service, which claims its job by a conditional UPDATE of
the job's status, so that a task delivered twice does its work once."""

from celery import shared_task

from auctions import auction_services, imports


@shared_task(name="auctions.block_import_validate")
def block_import_validate(job_id: int) -> None:
    imports.block_import_validate(job_id=job_id)


@shared_task(name="auctions.block_import_run")
def block_import_run(job_id: int) -> None:
    imports.block_import_run(job_id=job_id)


@shared_task(name="auctions.sweep")
def auctions_sweep() -> dict:
    """Settle what time has decided: close bidding at the due date, declare results after the close."""
    return auction_services.auctions_sweep()
