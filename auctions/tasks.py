"""Celery tasks: thin and idempotent. Each calls one service, which claims its job by a conditional UPDATE of
the job's status, so that a task delivered twice does its work once."""

from celery import shared_task

from auctions import services


@shared_task(name="auctions.sweep")
def auctions_sweep() -> dict:
    """Settle what time has decided: close bidding at the due date, declare results after the close."""
    return services.auctions_sweep()
