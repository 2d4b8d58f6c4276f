"""The hash chain, checked by the pure functions alone, as anyone holding the entries would."""

import hashlib
import json
from decimal import Decimal

import pytest

from ledger import chain


def build(stream, events):
    entries, prev = [], chain.GENESIS
    for seq, (kind, payload) in enumerate(events, start=1):
        at = f"2026-11-24T10:00:{seq:02d}.000000+00:00"
        payload = chain.normalise_payload(payload)
        digest = chain.entry_hash(stream=stream, seq=seq, at=at, kind=kind, payload=payload, prev_hash=prev)
        entries.append({"seq": seq, "at": at, "kind": kind, "payload": payload, "prev_hash": prev, "hash": digest})
        prev = digest
    return entries


EVENTS = [("notified", {"block": "T1-CG-01"}), ("bid_received", {"commitment": "ab" * 32}), ("closed", {})]


def test_hash_is_sha256_of_canonical_json_that_anyone_can_recompute():
    body = {"stream": "s", "seq": 1, "at": "t", "kind": "k", "payload": {"b": 1, "a": "x"}, "prev_hash": "0" * 64}
    by_hand = hashlib.sha256(
        json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    ).hexdigest()
    assert chain.entry_hash(**body) == by_hand


def test_decimals_are_hashed_as_their_exact_strings():
    assert chain.normalise_payload({"offer": Decimal("12.40")}) == {"offer": "12.40"}


def test_floats_and_objects_are_refused_in_payloads():
    with pytest.raises(TypeError):
        chain.normalise_payload({"when": object()})


def test_an_intact_chain_verifies():
    result = chain.verify_chain("auction:1", build("auction:1", EVENTS))
    assert result.ok and result.entries == 3 and result.first_bad_seq is None


@pytest.mark.parametrize(
    "tamper, bad_seq, reason",
    [
        (lambda es: es[1]["payload"].update(commitment="cd" * 32), 2, "altered"),
        (lambda es: es.pop(1), 2, "missing"),
        (lambda es: es[2].update(prev_hash=es[0]["hash"]), 3, "does not point"),
        (lambda es: es[0].update(kind="annulled"), 1, "altered"),
        (lambda es: es[2].update(at="2026-11-24T09:00:00.000000+00:00"), 3, "altered"),
    ],
    ids=["payload edited", "entry removed", "re-pointed", "kind edited", "time edited"],
)
def test_any_alteration_is_found_at_the_entry_where_it_happened(tamper, bad_seq, reason):
    entries = build("auction:1", EVENTS)
    tamper(entries)
    result = chain.verify_chain("auction:1", entries)
    assert not result.ok
    assert result.first_bad_seq == bad_seq
    assert reason in result.reason


def test_entries_of_one_stream_do_not_verify_as_another():
    assert not chain.verify_chain("auction:2", build("auction:1", EVENTS)).ok


def test_heads_hash_does_not_depend_on_the_order_heads_are_listed():
    heads = [("a", 1, "x" * 64), ("b", 2, "y" * 64)]
    assert chain.heads_hash(heads) == chain.heads_hash(list(reversed(heads)))
    assert chain.heads_hash(heads) != chain.heads_hash([("a", 1, "x" * 64), ("b", 3, "y" * 64)])
