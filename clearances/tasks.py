"""Celery tasks of clearances: thin and idempotent, each calls one service."""

from celery import shared_task

from clearances import services


@shared_task(name="clearances.sweep")
def sweep() -> dict:
    """Record silence effects and escalate overdue stages, each once (safe to run twice, or two at once)."""
    return services.clearances_sweep()
