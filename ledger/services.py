"""Writes to the ledger. `ledger_append` runs inside the caller's transaction, so an event is recorded
if and only if the change it describes is committed."""

import datetime
from functools import cache

from django.db import connection, transaction
from django.utils import timezone

from core.errors import NotFound
from core.sql import ModelWrite, quote
from ledger import chain
from ledger.models import Checkpoint, Entry, StreamHead


def ledger_append(*, stream: str, kind: str, payload: dict) -> Entry:
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("ledger_append must run inside the transaction of the change it records")
    seq, prev_hash = _locked_head(stream)
    payload = chain.normalise_payload(payload)
    at = timezone.now().astimezone(datetime.UTC).isoformat(timespec="microseconds")
    seq += 1
    digest = chain.entry_hash(stream=stream, seq=seq, at=at, kind=kind, payload=payload, prev_hash=prev_hash)
    entry = _ENTRY_INSERT.insert(
        Entry(stream=stream, seq=seq, at=at, kind=kind, payload=payload, prev_hash=prev_hash, hash=digest)
    )
    _HEAD_UPDATE.update(stream, seq, digest)
    return entry


# Every accepted e-auction offer appends under its auction's row lock: these statements are written once
# (core.sql), not compiled by the ORM on each append.
_ENTRY_INSERT = ModelWrite(Entry, ["stream", "seq", "at", "kind", "payload", "prev_hash", "hash"])
_HEAD_UPDATE = ModelWrite(StreamHead, ["seq", "hash"])


@cache
def _head_read() -> str:
    head = quote(StreamHead._meta.db_table)
    column = {name: quote(StreamHead._meta.get_field(name).column) for name in ("stream", "seq", "hash")}
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    return f"SELECT {column['seq']}, {column['hash']} FROM {head} WHERE {column['stream']} = %s{lock}"


def _locked_head(stream: str) -> tuple[int, str]:
    """The stream's head (its last seq and hash), locked until the caller's transaction ends: its row lock
    serialises the appends to one stream. The head exists from a stream's first entry on (an auction's from its
    notice), so an append reads and locks it in one statement; only the first append creates it, racing writers
    or not."""
    with connection.cursor() as cursor:
        cursor.execute(_head_read(), [stream])
        found = cursor.fetchone()
        if found is None:
            StreamHead.objects.bulk_create(
                [StreamHead(stream=stream, seq=0, hash=chain.GENESIS)], ignore_conflicts=True
            )
            cursor.execute(_head_read(), [stream])
            found = cursor.fetchone()
    return int(found[0]), found[1]


def ledger_verify(*, stream: str) -> chain.Verification:
    entries = [e.as_dict() for e in Entry.objects.filter(stream=stream).order_by("seq")]
    if not entries:
        raise NotFound(f"The ledger has no stream called {stream}.")
    result = chain.verify_chain(stream, entries)
    head = StreamHead.objects.filter(stream=stream).first()
    if result.ok and head and (head.seq != result.entries or head.hash != result.head_hash):
        reason = "entries after the last are missing"
        return chain.Verification(False, result.entries, result.head_hash, head.seq, reason)
    return result


def checkpoint_write() -> Checkpoint:
    """Publish a hash over all stream heads (a beat task calls this every minute)."""
    heads = list(StreamHead.objects.order_by("stream").values_list("stream", "seq", "hash"))
    return Checkpoint.objects.create(
        streams=len(heads), heads_hash=chain.heads_hash(heads), heads=[list(h) for h in heads]
    )
