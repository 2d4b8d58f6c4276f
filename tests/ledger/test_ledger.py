import threading

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext

from ledger.models import Checkpoint, Entry
from ledger.services import checkpoint_write, ledger_append, ledger_verify


def append(stream, kind, payload=None):
    with transaction.atomic():
        return ledger_append(stream=stream, kind=kind, payload=payload or {})


@pytest.mark.django_db
def test_appends_form_a_chain_per_stream():
    a1 = append("auction:1", "notified")
    b1 = append("auction:2", "notified")
    a2 = append("auction:1", "bid_received", {"commitment": "ff" * 32})
    assert (a1.seq, a2.seq, b1.seq) == (1, 2, 1)
    assert a2.prev_hash == a1.hash
    assert ledger_verify(stream="auction:1").ok


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_append_outside_a_transaction_is_refused():
    with pytest.raises(RuntimeError, match="inside the transaction"):
        ledger_append(stream="auction:1", kind="notified", payload={})


@pytest.mark.django_db
def test_an_event_rolled_back_with_its_change_leaves_no_trace():
    append("auction:1", "notified")
    with pytest.raises(ZeroDivisionError), transaction.atomic():
        ledger_append(stream="auction:1", kind="closed", payload={})
        1 / 0  # noqa: B018 - the change fails after the event was written
    assert list(Entry.objects.filter(stream="auction:1").values_list("kind", flat=True)) == ["notified"]
    assert append("auction:1", "closed").seq == 2


@pytest.mark.django_db
def test_verify_ledger_command_reports_a_tampered_stream(capsys):
    append("auction:1", "notified")
    append("auction:1", "closed", {"preferred_bidder": "A"})
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ALTER TABLE ledger_entry DISABLE TRIGGER ledger_entry_append_only")
    Entry.objects.filter(stream="auction:1", seq=2).update(payload={"preferred_bidder": "B"})
    with pytest.raises(CommandError, match="1 of 1"):
        call_command("verify_ledger")
    assert "BROKEN at entry 2" in capsys.readouterr().out


@pytest.mark.django_db
def test_public_endpoint_shows_entries_and_verification(api):
    append("auction:7", "notified", {"block": "X"})
    response = api.get("/api/v1/public/ledger/auction:7")
    assert response.status_code == 200
    assert response.json()["verification"]["ok"] is True
    assert [e["kind"] for e in response.json()["entries"]] == ["notified"]
    missing = api.get("/api/v1/public/ledger/auction:999")
    assert missing.status_code == 404
    assert "no stream" in missing.json()["error"]["message"]


@pytest.mark.django_db
def test_an_append_to_an_existing_stream_locks_its_head_and_writes_the_entry_only():
    """Appends run under the e-auction's row lock: the head, created by the stream's first entry, is locked and
    moved in place, never inserted again (three statements: lock the head, insert the entry, move the head)."""
    first = append("auction:1", "notified")
    with CaptureQueriesContext(connection) as captured, transaction.atomic():
        second = ledger_append(stream="auction:1", kind="offer", payload={"seq": 1})
    statements = [q["sql"] for q in captured if not q["sql"].startswith(("BEGIN", "COMMIT", "SAVEPOINT", "RELEASE"))]
    assert len(statements) == 3
    assert not any(sql.startswith("INSERT") and "ledger_streamhead" in sql for sql in statements)
    assert (second.seq, second.prev_hash) == (2, first.hash)
    assert ledger_verify(stream="auction:1").ok


@pytest.mark.django_db
def test_checkpoint_covers_every_stream_head():
    append("auction:1", "notified")
    append("licence:1", "granted")
    cp = checkpoint_write()
    assert cp.streams == 2
    assert [h[0] for h in cp.heads] == ["auction:1", "licence:1"]
    assert Checkpoint.objects.count() == 1


def test_postgres_refuses_update_and_delete_of_ledger_entries(postgres):
    append("auction:1", "notified")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        Entry.objects.filter(stream="auction:1").update(kind="forged")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        Entry.objects.filter(stream="auction:1").delete()
    assert Entry.objects.get(stream="auction:1").kind == "notified"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_writers_of_one_stream_keep_an_unbroken_chain(postgres):
    errors = []

    def writer(n):
        try:
            for i in range(10):
                append("auction:1", "offer", {"writer": n, "i": i})
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert list(Entry.objects.filter(stream="auction:1").values_list("seq", flat=True)) == list(range(1, 81))
    assert ledger_verify(stream="auction:1").ok
