from celery import shared_task

from ledger.services import checkpoint_write


@shared_task(name="ledger.checkpoint")
def checkpoint():
    checkpoint_write()
