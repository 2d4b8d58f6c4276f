"""Writes to the ledger. `ledger_append` runs inside the caller's transaction, so an event is recorded
if and only if the change it describes is committed."""

import datetime

from django.db import transaction
from django.utils import timezone

from core.errors import NotFound
from ledger import chain
from ledger.models import Checkpoint, Entry, StreamHead


def ledger_append(*, stream: str, kind: str, payload: dict) -> Entry:
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("ledger_append must run inside the transaction of the change it records")
    head = _locked_head(stream)
    payload = chain.normalise_payload(payload)
    at = timezone.now().astimezone(datetime.UTC).isoformat(timespec="microseconds")
    seq = head.seq + 1
    digest = chain.entry_hash(stream=stream, seq=seq, at=at, kind=kind, payload=payload, prev_hash=head.hash)
    entry = Entry.objects.create(
        stream=stream, seq=seq, at=at, kind=kind, payload=payload, prev_hash=head.hash, hash=digest
    )
    StreamHead.objects.filter(stream=stream).update(seq=seq, hash=digest)
    return entry


def _locked_head(stream: str) -> StreamHead:
    """The stream's head, locked until the caller's transaction ends: its row lock serialises the appends to
    one stream. The head exists from a stream's first entry on (an auction's from its notice), so an append
    reads and locks it in one statement; only the first append creates it, racing writers or not."""
    try:
        return StreamHead.objects.select_for_update().get(stream=stream)
    except StreamHead.DoesNotExist:
        StreamHead.objects.bulk_create([StreamHead(stream=stream, seq=0, hash=chain.GENESIS)], ignore_conflicts=True)
        return StreamHead.objects.select_for_update().get(stream=stream)


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
