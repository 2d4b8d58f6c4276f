"""Sealed initial price offers (ARCHITECTURE.md, Integrity).

An offer is encrypted at rest with AES-GCM under a key from the environment (never in the database), bound
to its auction and firm as associated data so a ciphertext cannot be moved to another bid. The firm gets a
commitment receipt: sha256(canonical offer || nonce). At the opening the system decrypts, checks each offer
against its commitment and publishes the value and the nonce, so anyone can recompute the hash.
"""

import base64
import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass
from decimal import Decimal

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

VERSION = "khanij-ipo-v1"


@dataclass(frozen=True)
class Sealed:
    ciphertext: str  # base64 of AES-GCM nonce (12 bytes) + ciphertext + tag
    commitment: str  # hex sha256; the commitment's random nonce lives only inside the ciphertext until opening


def _key() -> bytes:
    raw = getattr(settings, "SEALED_OFFER_KEY", "")
    if not raw:
        raise ImproperlyConfigured("SEALED_OFFER_KEY is not set: sealed offers cannot be stored or opened.")
    try:
        key = base64.urlsafe_b64decode(raw)
    except (ValueError, TypeError) as exc:
        raise ImproperlyConfigured("SEALED_OFFER_KEY must be 32 bytes in URL-safe base64.") from exc
    if len(key) != 32:
        raise ImproperlyConfigured("SEALED_OFFER_KEY must decode to 32 bytes (AES-256).")
    return key


def new_key() -> str:
    return base64.urlsafe_b64encode(AESGCM.generate_key(bit_length=256)).decode()


def canonical_offer(*, auction: int, firm: int, offer: Decimal) -> str:
    """The exact text that is committed to: published at the opening with the nonce."""
    return f"{VERSION}|auction={auction}|firm={firm}|offer={Decimal(offer):.2f}"


def commitment_of(canonical: str, nonce: str) -> str:
    return hashlib.sha256(f"{canonical}|nonce={nonce}".encode()).hexdigest()


def seal(*, auction: int, firm: int, offer: Decimal) -> Sealed:
    nonce = secrets.token_hex(32)
    canonical = canonical_offer(auction=auction, firm=firm, offer=offer)
    aead_nonce = os.urandom(12)
    plaintext = f"{Decimal(offer):.2f}|{nonce}".encode()
    ciphertext = AESGCM(_key()).encrypt(aead_nonce, plaintext, f"{auction}:{firm}".encode())
    return Sealed(
        ciphertext=base64.b64encode(aead_nonce + ciphertext).decode(),
        commitment=commitment_of(canonical, nonce),
    )


class SealBroken(Exception):
    """A ciphertext that does not decrypt, or an offer that does not match its commitment."""


def unseal(*, auction: int, firm: int, ciphertext: str, commitment: str) -> tuple[Decimal, str]:
    """Decrypt and check against the commitment. Returns (offer, nonce)."""
    blob = base64.b64decode(ciphertext)
    try:
        plaintext = AESGCM(_key()).decrypt(blob[:12], blob[12:], f"{auction}:{firm}".encode()).decode()
    except InvalidTag as exc:
        raise SealBroken(f"The sealed offer of firm {firm} does not decrypt: it was altered or moved.") from exc
    value, nonce = plaintext.split("|", 1)
    offer = Decimal(value)
    expected = commitment_of(canonical_offer(auction=auction, firm=firm, offer=offer), nonce)
    if not hmac.compare_digest(expected, commitment):
        raise SealBroken(f"The sealed offer of firm {firm} does not match its commitment receipt.")
    return offer, nonce


def bidder_token(*, salt: str, auction: int, firm: int) -> str:
    """A bidder's pseudonym in the offer history: secret while the salt is, checkable by anyone once the salt
    is published at the close (auctions.pseudonyms.bidder_token and auctions.replay both use this)."""
    return hashlib.sha256(f"{salt}|{auction}|{firm}".encode()).hexdigest()[:16]


def verify_published(*, auction: int, firm: int, offer: Decimal, nonce: str, commitment: str) -> bool:
    """What anyone can do after the opening: recompute the commitment from the published value and nonce."""
    recomputed = commitment_of(canonical_offer(auction=auction, firm=firm, offer=offer), nonce)
    return hmac.compare_digest(recomputed, commitment)


if __name__ == "__main__":
    print(new_key())
