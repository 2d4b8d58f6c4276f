"""Ed25519 signatures of ledger checkpoints (the `cryptography` package), with the key from the environment.

The private key is `LEDGER_SIGNING_KEY`: PEM (PKCS#8) or base64 of the 32-byte raw seed. It is never stored in the
database. A key's id is the first 16 hex digits of sha256 over its 32-byte raw public key, stored with every
signature, so the key can be rotated: the old public key goes to `LEDGER_RETIRED_PUBLIC_KEYS` and checkpoints it
signed still verify. What is signed is the canonical JSON of {version, at, streams, heads_hash}; heads_hash covers
every stream head, so the signature covers them all.

    python -m ledger.signing     # prints a new private key (base64) and its public key
"""

import base64
import binascii
import hashlib
from dataclasses import dataclass
from functools import cache

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from ledger.chain import canonical_json

VERSION = "khanij-ledger-checkpoint-v1"


def checkpoint_message(*, at: str, streams: int, heads_hash: str) -> bytes:
    """The exact bytes a checkpoint's signature covers (anyone can rebuild them from a served checkpoint)."""
    return canonical_json({"version": VERSION, "at": at, "streams": streams, "heads_hash": heads_hash}).encode()


def raw_public_key(public_key: Ed25519PublicKey) -> bytes:
    return public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def key_id(public_key: Ed25519PublicKey) -> str:
    return hashlib.sha256(raw_public_key(public_key)).hexdigest()[:16]


def load_private_key(text: str) -> Ed25519PrivateKey:
    text = text.strip()
    try:
        if text.startswith("-----BEGIN"):
            key = serialization.load_pem_private_key(text.encode(), password=None)
        else:
            key = Ed25519PrivateKey.from_private_bytes(base64.b64decode(text, validate=True))
    except (ValueError, TypeError, binascii.Error) as exc:
        raise ImproperlyConfigured(
            "LEDGER_SIGNING_KEY must be an Ed25519 private key: PEM (PKCS#8) or base64 of its 32 raw bytes."
        ) from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise ImproperlyConfigured("LEDGER_SIGNING_KEY is a PEM key, but not an Ed25519 one.")
    return key


def load_public_key(text: str) -> Ed25519PublicKey:
    """A public key as published: base64 of its 32 raw bytes, or PEM (SubjectPublicKeyInfo)."""
    text = text.strip()
    try:
        if text.startswith("-----BEGIN"):
            key = serialization.load_pem_public_key(text.encode())
        else:
            key = Ed25519PublicKey.from_public_bytes(base64.b64decode(text, validate=True))
    except (ValueError, TypeError, binascii.Error) as exc:
        raise ValueError(f"not an Ed25519 public key (base64 of 32 bytes, or PEM): {text[:40]}") from exc
    if not isinstance(key, Ed25519PublicKey):
        raise ValueError("the PEM public key is not an Ed25519 key")
    return key


def new_private_key() -> str:
    raw = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    return base64.b64encode(raw).decode()


@dataclass(frozen=True)
class PublishedKey:
    key_id: str
    public_key: Ed25519PublicKey
    current: bool

    @property
    def base64(self) -> str:
        return base64.b64encode(raw_public_key(self.public_key)).decode()

    @property
    def pem(self) -> str:
        return self.public_key.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        ).decode()


@cache
def _signing_key(text: str) -> Ed25519PrivateKey:
    return load_private_key(text)


def signing_key() -> Ed25519PrivateKey:
    text = getattr(settings, "LEDGER_SIGNING_KEY", "")
    if not text:
        raise ImproperlyConfigured("LEDGER_SIGNING_KEY is not set: checkpoints cannot be signed.")
    return _signing_key(text)


def published_keys() -> list[PublishedKey]:
    """The current public key (of LEDGER_SIGNING_KEY) first, then the retired ones (LEDGER_RETIRED_PUBLIC_KEYS)."""
    current = signing_key().public_key()
    keys = [PublishedKey(key_id(current), current, True)]
    for text in getattr(settings, "LEDGER_RETIRED_PUBLIC_KEYS", []):
        retired = load_public_key(text)
        if key_id(retired) != keys[0].key_id:
            keys.append(PublishedKey(key_id(retired), retired, False))
    return keys


def sign(message: bytes) -> tuple[str, str]:
    """(key id, base64 signature) of the message with the current key."""
    key = signing_key()
    return key_id(key.public_key()), base64.b64encode(key.sign(message)).decode()


def verify(message: bytes, *, signature: str, key_id_: str, keys: list[PublishedKey]) -> str:
    """An empty string when the signature is good under the key of that id among `keys`, else why not."""
    key = next((k for k in keys if k.key_id == key_id_), None)
    if key is None:
        return f"signed with key {key_id_}, which is not a published key"
    try:
        key.public_key.verify(base64.b64decode(signature, validate=True), message)
    except (InvalidSignature, ValueError, binascii.Error):
        return f"its signature does not verify under key {key_id_}"
    return ""


if __name__ == "__main__":
    private = new_private_key()
    public = Ed25519PrivateKey.from_private_bytes(base64.b64decode(private)).public_key()
    print(f"LEDGER_SIGNING_KEY={private}")
    print(f"# public key {base64.b64encode(raw_public_key(public)).decode()} (key id {key_id(public)})")
