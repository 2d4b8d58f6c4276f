"""The hash chain as pure functions (no ORM), so anyone holding the entries can check them.

An entry's hash is sha256 over the canonical JSON of {stream, seq, at, kind, payload, prev_hash}:
keys sorted, no spaces, UTF-8, decimals as strings. The first entry of a stream has prev_hash GENESIS.
"""

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

GENESIS = "0" * 64


def _default(value):
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} cannot go into a ledger payload; use str, int, bool, list or dict")


def canonical_json(value) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_default)


def normalise_payload(payload: dict) -> dict:
    """The payload exactly as it will be stored and hashed (decimals and datetimes as strings)."""
    return json.loads(canonical_json(payload))


def entry_hash(*, stream: str, seq: int, at: str, kind: str, payload: dict, prev_hash: str) -> str:
    body = {"stream": stream, "seq": seq, "at": at, "kind": kind, "payload": payload, "prev_hash": prev_hash}
    return hashlib.sha256(canonical_json(body).encode("utf-8")).hexdigest()


def heads_hash(heads: list[tuple[str, int, str]]) -> str:
    """A checkpoint: one hash over every stream's (stream, seq, hash) head, sorted by stream."""
    return hashlib.sha256(canonical_json(sorted([list(h) for h in heads])).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Verification:
    ok: bool
    entries: int
    head_hash: str
    first_bad_seq: int | None = None
    reason: str = ""
    checkpoint: int | None = None  # the signed checkpoint the chain was also checked against, if any


def verify_chain(stream: str, entries: list[dict]) -> Verification:
    """Recompute every hash of a stream's entries (dicts with seq, at, kind, payload, prev_hash, hash)."""
    prev = GENESIS
    for expected_seq, entry in enumerate(sorted(entries, key=lambda e: e["seq"]), start=1):
        seq = entry["seq"]
        if seq != expected_seq:
            return Verification(
                False, len(entries), prev, expected_seq, f"entry {expected_seq} is missing (found {seq})"
            )
        if entry["prev_hash"] != prev:
            return Verification(False, len(entries), prev, seq, f"entry {seq} does not point at entry {seq - 1}")
        recomputed = entry_hash(
            stream=stream,
            seq=seq,
            at=entry["at"],
            kind=entry["kind"],
            payload=entry["payload"],
            prev_hash=entry["prev_hash"],
        )
        if recomputed != entry["hash"]:
            return Verification(False, len(entries), prev, seq, f"entry {seq} was altered: its hash does not match")
        prev = entry["hash"]
    return Verification(True, len(entries), prev)


def head_on_chain(hashes: dict[int, str], *, seq: int, digest: str) -> str:
    """An empty string when a (verified) chain, as {seq: hash}, has entry `seq` with hash `digest`, as a checkpoint
    recorded; else what differs. A chain rewritten after the checkpoint, however well its hashes were recomputed,
    differs: the rewritten entry's hash, and every later one, changed."""
    if seq == 0:
        return ""
    if seq not in hashes:
        return f"entry {seq} is missing"
    if hashes[seq] != digest:
        return f"entry {seq} is not the one recorded (hash {digest[:12]}..., now {hashes[seq][:12]}...)"
    return ""
