"""Idempotency-Key records past their 24 hours are purged by an hourly beat task; fresh ones are kept, and a
purged key starts afresh."""

from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.utils import timezone

from core import idempotency
from core.models import IdempotencyRecord
from core.tasks import idempotency_purge

pytestmark = pytest.mark.django_db


def record(key: str, *, age: timedelta) -> IdempotencyRecord:
    with time_machine.travel(timezone.now() - age, tick=False):
        return IdempotencyRecord.objects.create(
            owner="user:1", scope="blocks.create", key=key, request_fingerprint="f", response_status=201
        )


def test_the_purge_deletes_only_records_past_their_day():
    old = [record(f"old-{i}", age=timedelta(hours=24, minutes=1 + i)) for i in range(3)]
    fresh = record("fresh", age=timedelta(hours=23, minutes=59))
    assert idempotency_purge.apply().get() == 3
    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == [fresh.key]
    assert not IdempotencyRecord.objects.filter(pk__in=[r.pk for r in old]).exists()
    assert idempotency_purge.apply().get() == 0  # nothing left to purge: safe to run again


def test_the_purge_works_in_batches(monkeypatch):
    monkeypatch.setattr(idempotency, "PURGE_BATCH", 2)
    for i in range(5):
        record(f"old-{i}", age=timedelta(days=2))
    assert idempotency.idempotency_purge() == 5
    assert not IdempotencyRecord.objects.exists()


def test_the_beat_runs_the_purge_every_hour():
    entries = [e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == idempotency_purge.name]
    assert [e["schedule"] for e in entries] == [3600.0]
