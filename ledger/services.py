"""Writes to the ledger. `ledger_append` runs inside the caller's transaction, so an event is recorded
if and only if the change it describes is committed."""

import datetime
from functools import cache

from django.db import connection, transaction
from django.utils import timezone

from core.errors import NotFound
from core.sql import ModelWrite, quote
from ledger import chain, signing
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
    """Recompute a stream's chain, compare it with its head, and check it against the newest signed checkpoint:
    a chain rewritten with every later hash and its head recomputed still fails there, because the checkpoint's
    signed head for the stream is no longer on it (unless whoever rewrote it holds the signing key)."""
    entries = [e.as_dict() for e in Entry.objects.filter(stream=stream).order_by("seq")]
    if not entries:
        raise NotFound(f"The ledger has no stream called {stream}.")
    result = chain.verify_chain(stream, entries)
    head = StreamHead.objects.filter(stream=stream).first()
    if result.ok and head and (head.seq != result.entries or head.hash != result.head_hash):
        reason = "entries after the last are missing"
        return chain.Verification(False, result.entries, result.head_hash, head.seq, reason)
    if not result.ok:
        return result
    checkpoint = Checkpoint.objects.exclude(signature="").order_by("-at", "-pk").first()
    if checkpoint is None:
        return result
    served = checkpoint_as_dict(checkpoint)
    hashes = {e["seq"]: e["hash"] for e in entries}
    problems = checkpoint_problems(served, signing.published_keys())
    problems += checkpoint_heads_problems(served, {stream: hashes})
    if problems:
        return chain.Verification(False, result.entries, result.head_hash, None, "; ".join(problems), checkpoint.pk)
    return chain.Verification(True, result.entries, result.head_hash, checkpoint=checkpoint.pk)


def _signed_at(at: datetime.datetime) -> str:
    return at.astimezone(datetime.UTC).isoformat(timespec="microseconds")


def checkpoint_write() -> Checkpoint:
    """Sign and publish a hash over all stream heads (a beat task calls this every minute)."""
    heads = list(StreamHead.objects.order_by("stream").values_list("stream", "seq", "hash"))
    at = timezone.now()
    digest = chain.heads_hash(heads)
    key_id, signature = signing.sign(
        signing.checkpoint_message(at=_signed_at(at), streams=len(heads), heads_hash=digest)
    )
    return Checkpoint.objects.create(
        at=at,
        streams=len(heads),
        heads_hash=digest,
        heads=[list(h) for h in heads],
        key_id=key_id,
        signature=signature,
    )


def checkpoint_as_dict(checkpoint: Checkpoint) -> dict:
    """A checkpoint as it is published: everything needed to check its signature and its heads."""
    return {
        "id": checkpoint.pk,
        "at": _signed_at(checkpoint.at),
        "streams": checkpoint.streams,
        "heads_hash": checkpoint.heads_hash,
        "heads": [{"stream": s, "seq": q, "hash": h} for s, q, h in checkpoint.heads],
        "key_id": checkpoint.key_id,
        "signature": checkpoint.signature,
        "signed_message": signing.checkpoint_message(
            at=_signed_at(checkpoint.at), streams=checkpoint.streams, heads_hash=checkpoint.heads_hash
        ).decode(),
    }


def checkpoint_problems(served: dict, keys: list[signing.PublishedKey]) -> list[str]:
    """What is wrong with a published checkpoint (its form as served, e.g. a file saved from the API) by itself:
    its signature under the published keys, and its heads against its signed heads hash."""
    name = f"checkpoint {served.get('id')} of {served.get('at')}"
    try:
        heads = [(h["stream"], int(h["seq"]), h["hash"]) for h in served["heads"]]
        message = signing.checkpoint_message(
            at=served["at"], streams=int(served["streams"]), heads_hash=served["heads_hash"]
        )
        key_id, signature = served["key_id"], served["signature"]
    except (KeyError, TypeError, ValueError) as exc:
        return [f"{name} is not a checkpoint as published ({exc!r} missing or malformed)"]
    problems = []
    if not signature:
        problems.append(f"{name} is not signed")
    elif why := signing.verify(message, signature=signature, key_id_=key_id, keys=keys):
        problems.append(f"{name}: {why}")
    if chain.heads_hash(heads) != served["heads_hash"] or len(heads) != int(served["streams"]):
        problems.append(f"{name}: its heads are not the ones its signed heads hash covers")
    return problems


def checkpoint_heads_problems(served: dict, chains: dict[str, dict[int, str]]) -> list[str]:
    """Each head the checkpoint recorded for a stream of `chains` ({stream: {seq: hash}}, recomputed and verified)
    that is not on that chain."""
    problems = []
    for head in served["heads"]:
        if head["stream"] in chains:
            why = chain.head_on_chain(chains[head["stream"]], seq=int(head["seq"]), digest=head["hash"])
            if why:
                problems.append(
                    f"{head['stream']}: checkpoint {served.get('id')} of {served.get('at')} recorded its head at "
                    f"entry {head['seq']}, but {why}: the stream was rewritten after that checkpoint"
                )
    return problems
