"""Celery tasks of the shared kernel: thin, each calls one function."""

from celery import shared_task

from core import outbox
from core.idempotency import idempotency_purge as purge


@shared_task(name="core.idempotency_purge")
def idempotency_purge() -> int:
    """Delete the Idempotency-Key records past their 24 hours; safe to run twice or concurrently."""
    return purge()


@shared_task(name="core.outbox_relay")
def outbox_relay() -> int:
    """Send to the broker what the outbox holds (what could not be sent right after its commit)."""
    return outbox.outbox_relay()


@shared_task(name="core.outbox_purge")
def outbox_purge() -> int:
    """Delete the outbox messages sent more than a week ago."""
    return outbox.outbox_purge()
