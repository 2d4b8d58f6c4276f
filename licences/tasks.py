"""Celery tasks of the licence register: thin and idempotent, each calls one service."""

from celery import shared_task

from licences import dumps, services


@shared_task(name="licences.el_sweep")
def el_sweep() -> dict:
    """Expire exploration licences past their term; close what ended licences still owed (missed, or no longer
    due). Safe to run twice: a licence already moved is left alone."""
    return services.el_sweep()


@shared_task(name="licences.build_dumps")
def build_dumps() -> dict:
    """Rebuild the full open-data dumps at /data/ (licences/dumps.py). Safe to run twice: each file is replaced
    atomically and the manifest written last."""
    manifest = dumps.build_dumps()
    return {"built_at": manifest["built_at"], "files": len(manifest["files"])}
