"""Signed checkpoints: published with their keys, and a chain rewritten after one is caught by anyone holding it,
even when every later hash and the head were recomputed so that the chain alone verifies."""

import base64
import json
import os
import subprocess
import sys
from io import StringIO

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings as django_settings
from django.core.management import CommandError, call_command
from django.db import connection, transaction

from ledger import chain, signing
from ledger.models import Checkpoint, Entry, StreamHead
from ledger.services import checkpoint_write, ledger_append, ledger_verify


def append(stream, kind, payload=None):
    with transaction.atomic():
        return ledger_append(stream=stream, kind=kind, payload=payload or {})


def triggers(table, enabled):
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ALTER TABLE {table} {'ENABLE' if enabled else 'DISABLE'} TRIGGER ALL")


def rewrite(stream, seq, payload):
    """The attack, as the owner of the tables (past the application role and the triggers): edit an entry, then
    recompute every later hash and the head, so that the chain verifies on its own."""
    triggers("ledger_entry", enabled=False)
    prev = chain.GENESIS
    for entry in Entry.objects.filter(stream=stream).order_by("seq"):
        if entry.seq >= seq:
            if entry.seq == seq:
                entry.payload = payload
            entry.prev_hash = prev
            entry.hash = chain.entry_hash(
                stream=stream,
                seq=entry.seq,
                at=entry.at,
                kind=entry.kind,
                payload=entry.payload,
                prev_hash=prev,
            )
            Entry.objects.filter(pk=entry.pk).update(payload=entry.payload, prev_hash=prev, hash=entry.hash)
        prev = entry.hash
    StreamHead.objects.filter(stream=stream).update(hash=prev)
    triggers("ledger_entry", enabled=True)


def delete_recorded_checkpoints():
    triggers("ledger_checkpoint", enabled=False)
    Checkpoint.objects.all().delete()
    triggers("ledger_checkpoint", enabled=True)


def save(tmp_path, data, name="checkpoints.json"):
    path = tmp_path / name
    path.write_text(json.dumps(data))
    return str(path)


def verify_command(*args):
    out = StringIO()
    try:
        call_command("verify_ledger", *args, stdout=out)
    except CommandError as exc:
        return False, out.getvalue() + str(exc)
    return True, out.getvalue()


def closed_auction():
    append("auction:1", "notified", {"block": "T1"})
    append("auction:1", "closed", {"preferred_bidder": "A"})
    append("licence:1", "granted")


@pytest.mark.django_db
def test_a_checkpoint_is_signed_and_anyone_verifies_it_with_the_published_key(api):
    closed_auction()
    checkpoint_write()
    served = api.get("/api/v1/public/ledger/checkpoints").json()["results"][0]
    keys = api.get("/api/v1/public/ledger/keys").json()
    assert [k["current"] for k in keys] == [True]
    assert keys[0]["key_id"] == served["key_id"]
    assert keys[0]["first_signed"] is not None
    # Checked with the cryptography package directly, as someone outside would: the signed bytes rebuilt by hand.
    public = Ed25519PublicKey.from_public_bytes(base64.b64decode(keys[0]["public_key"]))
    message = json.dumps(
        {"at": served["at"], "heads_hash": served["heads_hash"], "streams": 2, "version": signing.VERSION},
        sort_keys=True,
        separators=(",", ":"),
    )
    assert served["signed_message"] == message
    public.verify(base64.b64decode(served["signature"]), message.encode())
    heads = [[h["stream"], h["seq"], h["hash"]] for h in served["heads"]]
    assert chain.heads_hash(heads) == served["heads_hash"]
    assert heads[0][:2] == ["auction:1", 2]


@pytest.mark.django_db
def test_checkpoints_are_served_newest_first_a_page_at_a_time_and_one_by_one(api):
    append("auction:1", "notified")
    written = [checkpoint_write() for _ in range(3)]
    page = api.get("/api/v1/public/ledger/checkpoints?page_size=2").json()
    assert [c["id"] for c in page["results"]] == [written[2].pk, written[1].pk]
    rest = api.get(page["next"]).json()
    assert [c["id"] for c in rest["results"]] == [written[0].pk]
    one = api.get(f"/api/v1/public/ledger/checkpoints/{written[0].pk}")
    assert one.status_code == 200 and one.json() == rest["results"][0]
    assert api.get("/api/v1/public/ledger/checkpoints/999999").status_code == 404


@pytest.mark.django_db
def test_a_rewritten_chain_that_verifies_alone_is_caught_by_the_recorded_checkpoints(api):
    closed_auction()
    checkpoint_write()
    rewrite("auction:1", 2, {"preferred_bidder": "B"})

    entries = [e.as_dict() for e in Entry.objects.filter(stream="auction:1")]
    assert chain.verify_chain("auction:1", entries).ok, "the rewrite recomputed every hash: the chain alone is ok"
    assert StreamHead.objects.get(stream="auction:1").hash == entries[-1]["hash"]

    result = ledger_verify(stream="auction:1")
    assert not result.ok
    assert "recorded its head at entry 2" in result.reason and "rewritten after that checkpoint" in result.reason
    verification = api.get("/api/v1/public/ledger/auction:1").json()["verification"]
    assert verification["ok"] is False and verification["checkpoint"] == result.checkpoint
    ok, output = verify_command()
    assert not ok and "auction:1: BROKEN" in output and "licence:1: ok" in output


@pytest.mark.django_db
def test_a_rewrite_that_also_deletes_the_recorded_checkpoints_is_caught_by_a_checkpoint_saved_earlier(api, tmp_path):
    closed_auction()
    checkpoint_write()
    saved = save(tmp_path, api.get("/api/v1/public/ledger/checkpoints").json())
    assert verify_command("--checkpoint", saved)[0]

    rewrite("auction:1", 1, {"block": "T2"})
    delete_recorded_checkpoints()
    assert verify_command()[0], "with the recorded checkpoints gone, only a copy held elsewhere shows the rewrite"
    ok, output = verify_command("--checkpoint", saved)
    assert not ok
    assert "auction:1: checkpoint" in output and "recorded its head at entry 2" in output


@pytest.mark.django_db
def test_entries_removed_from_the_end_with_the_head_moved_back_are_caught():
    closed_auction()
    checkpoint_write()
    triggers("ledger_entry", enabled=False)
    Entry.objects.filter(stream="auction:1", seq=2).delete()
    StreamHead.objects.filter(stream="auction:1").update(seq=1, hash=Entry.objects.get(stream="auction:1").hash)
    triggers("ledger_entry", enabled=True)
    result = ledger_verify(stream="auction:1")
    assert not result.ok and "entry 2 is missing" in result.reason


@pytest.mark.django_db
def test_a_forged_checkpoint_fails_its_signature(api, tmp_path):
    closed_auction()
    checkpoint_write()
    served = api.get("/api/v1/public/ledger/checkpoints").json()["results"][0]

    altered = {**served, "heads": [{**served["heads"][0], "hash": "f" * 64}, *served["heads"][1:]]}
    altered["heads_hash"] = chain.heads_hash([[h["stream"], h["seq"], h["hash"]] for h in altered["heads"]])
    ok, output = verify_command("--checkpoint", save(tmp_path, altered))
    assert not ok and f"its signature does not verify under key {served['key_id']}" in output

    heads_only = {**served, "heads": altered["heads"]}
    ok, output = verify_command("--checkpoint", save(tmp_path, heads_only))
    assert not ok and "its heads are not the ones its signed heads hash covers" in output

    # Signed with a key of the forger's own: its id is not a published key's, and under a published id it fails.
    forger = Ed25519PrivateKey.generate()
    message = signing.checkpoint_message(at=altered["at"], streams=altered["streams"], heads_hash=altered["heads_hash"])
    forged = {**altered, "signature": base64.b64encode(forger.sign(message)).decode()}
    ok, output = verify_command(
        "--checkpoint", save(tmp_path, {**forged, "key_id": signing.key_id(forger.public_key())})
    )
    assert not ok and "which is not a published key" in output
    ok, output = verify_command("--checkpoint", save(tmp_path, forged))
    assert not ok and "its signature does not verify" in output


@pytest.mark.django_db
def test_after_a_key_rotation_checkpoints_of_the_retired_key_still_verify(api, settings):
    closed_auction()
    old = checkpoint_write()
    old_public = signing.published_keys()[0].base64
    settings.LEDGER_SIGNING_KEY = signing.new_private_key()
    new = checkpoint_write()
    assert new.key_id != old.key_id

    ok, output = verify_command()
    assert not ok and f"signed with key {old.key_id}, which is not a published key" in output

    settings.LEDGER_RETIRED_PUBLIC_KEYS = [old_public]
    assert verify_command()[0]
    keys = api.get("/api/v1/public/ledger/keys").json()
    assert [(k["key_id"], k["current"]) for k in keys] == [(new.key_id, True), (old.key_id, False)]
    assert keys[1]["public_key"] == old_public and keys[1]["last_signed"] is not None


@pytest.mark.django_db
def test_a_saved_checkpoint_verifies_with_a_public_key_given_by_hand(api, tmp_path):
    closed_auction()
    checkpoint_write()
    saved = save(tmp_path, api.get("/api/v1/public/ledger/checkpoints").json()["results"][0])
    pem = api.get("/api/v1/public/ledger/keys").json()[0]["public_key_pem"]
    assert verify_command("--checkpoint", saved, "--public-key", pem)[0]
    other = base64.b64encode(signing.raw_public_key(Ed25519PrivateKey.generate().public_key())).decode()
    ok, output = verify_command("--checkpoint", saved, "--public-key", other)
    assert not ok and "which is not a published key" in output


def test_production_refuses_to_start_without_a_signing_key():
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "false",
        "SECRET_KEY": "x" * 50,
        "SEALED_OFFER_KEY": os.environ.get("SEALED_OFFER_KEY", "dGVzdC1vbmx5LXNlYWxpbmcta2V5LTMyLWJ5dGVzISE="),
        "LEDGER_SIGNING_KEY": "",
    }
    done = subprocess.run(
        [sys.executable, "-c", "import config.settings"],
        env=env,
        cwd=django_settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode != 0
    assert "LEDGER_SIGNING_KEY is not set" in done.stderr
