"""A request sent with an Idempotency-Key acts and stores its answer in one transaction (core.idempotency): a retry
sent while the first is still running waits for it and gets its answer, and a request that fails after acting
leaves neither its act nor its key behind."""

import threading
import time

import pytest
from django.db import connection, transaction

from blocks import services as block_services
from blocks.models import Block
from core.models import IdempotencyRecord
from tests.blocks.test_regulator_api import LIST, body


def _waiting(event: str) -> int:
    """How many other sessions wait on a lock of this kind (pg_stat_activity's wait_event)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")  # else a transaction sees the view as it first read it
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND wait_event = %s "
            "AND pid <> pg_backend_pid()",
            [event],
        )
        return cursor.fetchone()[0]


def _until(condition, timeout=10.0):
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("the requests never reached the expected wait")
        time.sleep(0.02)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_retry_sent_while_the_first_request_runs_waits_and_gets_its_answer(postgres, regulator, api_as):
    responses = {}

    def send(name):
        try:
            responses[name] = api_as(regulator).post(LIST, body(), format="json", headers={"Idempotency-Key": "k"})
        finally:
            connection.close()

    first, retry = threading.Thread(target=send, args=("first",)), threading.Thread(target=send, args=("retry",))
    # Hold the lock that registering a block takes, so that the first request stops inside its act, its key
    # reserved but not committed; then send the retry, and let both go.
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [block_services._BOUNDARY_LOCK_KEY])
        first.start()
        _until(lambda: _waiting("advisory") == 1)
        retry.start()
        _until(lambda: _waiting("transactionid") == 1)  # on the first request's uncommitted key
    first.join(30)
    retry.join(30)

    assert responses["first"].status_code == 201 and "Idempotent-Replayed" not in responses["first"]
    assert responses["retry"].status_code == 201 and responses["retry"]["Idempotent-Replayed"] == "true"
    assert responses["retry"].json() == responses["first"].json()
    assert Block.objects.count() == 1
    assert IdempotencyRecord.objects.count() == 1
