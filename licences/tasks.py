"""Celery tasks of the licence register: thin and idempotent, each calls one service."""

from celery import shared_task

from licences import services


@shared_task(name="licences.el_sweep")
def el_sweep() -> dict:
    """Expire exploration licences past their term; close what ended licences still owed (missed, or no longer
    due). Safe to run twice: a licence already moved is left alone."""
    return services.el_sweep()
