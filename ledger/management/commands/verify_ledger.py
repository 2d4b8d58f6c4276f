import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ledger import signing
from ledger.models import Checkpoint, Entry, StreamHead
from ledger.services import checkpoint_as_dict, checkpoint_heads_problems, checkpoint_problems, ledger_verify


def _saved_checkpoints(path: str) -> list[dict]:
    """Checkpoints saved from GET /api/v1/public/ledger/checkpoints: one, a list, or a page with "results"."""
    try:
        data = json.loads(Path(path).read_text())
    except (OSError, ValueError) as exc:
        raise CommandError(f"cannot read the checkpoint file {path}: {exc}") from exc
    if isinstance(data, dict) and "results" in data:
        data = data["results"]
    return data if isinstance(data, list) else [data]


class Command(BaseCommand):
    help = (
        "Recompute the hash chain of one stream, or of every stream, and check it against every signed checkpoint "
        "recorded here and against checkpoint files saved earlier (--checkpoint); report any break."
    )

    def add_arguments(self, parser):
        parser.add_argument("streams", nargs="*", help="stream names, e.g. auction:12 (default: all)")
        parser.add_argument(
            "--checkpoint",
            action="append",
            default=[],
            metavar="FILE",
            help="a checkpoint saved earlier from the public API (JSON: one, a list, or a page); repeatable",
        )
        parser.add_argument(
            "--public-key",
            action="append",
            default=[],
            metavar="KEY",
            help="a published Ed25519 public key (base64 or PEM) to check signatures with, instead of this "
            "server's keys; repeatable",
        )

    def handle(self, *args, streams, checkpoint, public_key, **options):
        names = streams or list(StreamHead.objects.order_by("stream").values_list("stream", flat=True))
        broken = 0
        for name in names:
            result = ledger_verify(stream=name)
            if result.ok:
                self.stdout.write(f"{name}: ok, {result.entries} entries, head {result.head_hash}")
            else:
                broken += 1
                where = f" at entry {result.first_bad_seq}" if result.first_bad_seq else ""
                self.stdout.write(self.style.ERROR(f"{name}: BROKEN{where}: {result.reason}"))

        keys = self._keys(public_key)
        chains = {name: {} for name in names}
        for stream, seq, digest in Entry.objects.filter(stream__in=names).values_list("stream", "seq", "hash"):
            chains[stream][seq] = digest
        unsigned = Checkpoint.objects.filter(signature="").count()
        if unsigned:
            self.stdout.write(f"{unsigned} checkpoint(s) written before checkpoints were signed: not checked")
        signed = Checkpoint.objects.exclude(signature="").order_by("at", "pk")
        recorded = (checkpoint_as_dict(c) for c in signed.iterator())
        bad_checkpoints, checked = self._check(recorded, keys, chains, "")
        for path in checkpoint:
            found, count = self._check(_saved_checkpoints(path), keys, chains, f"{path}: ")
            bad_checkpoints += found
            checked += count
        if broken or bad_checkpoints:
            raise CommandError(
                f"{broken} of {len(names)} stream(s) failed verification; "
                f"{bad_checkpoints} problem(s) with the {checked} checkpoint(s) checked"
            )
        self.stdout.write(self.style.SUCCESS(f"{len(names)} stream(s) verified against {checked} checkpoint(s)"))

    def _keys(self, public_keys: list[str]) -> list[signing.PublishedKey]:
        if not public_keys:
            return signing.published_keys()
        try:
            loaded = [signing.load_public_key(text) for text in public_keys]
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        return [signing.PublishedKey(signing.key_id(key), key, False) for key in loaded]

    def _check(self, checkpoints, keys, chains, source: str) -> tuple[int, int]:
        problems, checked = 0, 0
        for served in checkpoints:
            checked += 1
            found = checkpoint_problems(served, keys)
            if not found:
                found = checkpoint_heads_problems(served, chains)
            for problem in found:
                self.stdout.write(self.style.ERROR(f"{source}{problem}"))
            problems += len(found)
        return problems, checked
