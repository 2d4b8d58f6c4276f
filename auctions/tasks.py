"""Celery tasks: thin and idempotent. Each calls one service, which claims its job by a conditional UPDATE of
the job's status, so that a task delivered twice does its work once."""

from celery import shared_task

from auctions import services


@shared_task(name="auctions.sweep")
def auctions_sweep() -> dict:
    """Settle what time has decided: close bidding at the due date, declare results after the close."""
    return services.auctions_sweep()


@shared_task(name="auctions.open")
def auction_open(auction_id: int) -> str:
    """Open the initial price offers of one auction (queued by a regulator or at the opening time): claimed by a
    conditional UPDATE, so a task delivered twice opens the auction once."""
    return services.auction_opening_run(auction_id=auction_id)
