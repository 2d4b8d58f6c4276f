from django.db import models
from django.utils import timezone


class Entry(models.Model):
    """One event of the public record. Append-only: on PostgreSQL a trigger refuses UPDATE and DELETE."""

    stream = models.CharField(max_length=80)
    seq = models.PositiveBigIntegerField()
    at = models.CharField(max_length=40, help_text="UTC ISO 8601 timestamp, as hashed")
    kind = models.CharField(max_length=60)
    payload = models.JSONField()
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["stream", "seq"]
        constraints = [models.UniqueConstraint(fields=["stream", "seq"], name="ledger_entry_unique_stream_seq")]
        verbose_name_plural = "entries"

    def __str__(self):
        return f"{self.stream}#{self.seq} {self.kind}"

    def as_dict(self) -> dict:
        return {
            "seq": self.seq,
            "at": self.at,
            "kind": self.kind,
            "payload": self.payload,
            "prev_hash": self.prev_hash,
            "hash": self.hash,
        }


class StreamHead(models.Model):
    """The last entry of each stream; its row lock serialises appends to one stream only."""

    stream = models.CharField(max_length=80, primary_key=True)
    seq = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"{self.stream} at entry {self.seq}"


class Checkpoint(models.Model):
    """A hash over every stream head, signed and published every minute, so a later rewrite of any stream shows to
    anyone holding an earlier checkpoint. Never changed once written: on PostgreSQL a trigger refuses UPDATE, DELETE
    and TRUNCATE, and the application's role may only INSERT and SELECT."""

    at = models.DateTimeField(default=timezone.now, db_index=True)
    streams = models.PositiveIntegerField()
    heads_hash = models.CharField(max_length=64)
    heads = models.JSONField()
    key_id = models.CharField(
        max_length=16, blank=True, help_text="sha256 of the signing public key, first 16 hex digits; blank: unsigned"
    )
    signature = models.CharField(max_length=100, blank=True, help_text="Ed25519, base64 (ledger/signing.py)")

    class Meta:
        ordering = ["-at"]

    def __str__(self):
        return f"checkpoint {self.at:%Y-%m-%d %H:%M} over {self.streams} streams"
