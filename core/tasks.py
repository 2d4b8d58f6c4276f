"""Celery tasks of the shared kernel: thin, each calls one function."""

from celery import shared_task

from core.idempotency import idempotency_purge as purge


@shared_task(name="core.idempotency_purge")
def idempotency_purge() -> int:
    """Delete the Idempotency-Key records past their 24 hours; safe to run twice or concurrently."""
    return purge()
