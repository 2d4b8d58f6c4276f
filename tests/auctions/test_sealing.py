import base64
import hashlib
from decimal import Decimal

import pytest
from django.core.exceptions import ImproperlyConfigured

from auctions import sealing


def test_commitment_can_be_recomputed_by_anyone_from_the_published_value_and_nonce():
    sealed = sealing.seal(auction=7, firm=3, offer=Decimal("12.5"))
    offer, nonce = sealing.unseal(auction=7, firm=3, ciphertext=sealed.ciphertext, commitment=sealed.commitment)
    assert offer == Decimal("12.50")
    by_hand = hashlib.sha256(f"khanij-ipo-v1|auction=7|firm=3|offer=12.50|nonce={nonce}".encode()).hexdigest()
    assert by_hand == sealed.commitment
    assert sealing.verify_published(auction=7, firm=3, offer=Decimal("12.50"), nonce=nonce, commitment=by_hand)
    assert not sealing.verify_published(auction=7, firm=3, offer=Decimal("12.51"), nonce=nonce, commitment=by_hand)


def test_the_ciphertext_does_not_contain_the_offer():
    sealed = sealing.seal(auction=7, firm=3, offer=Decimal("76.05"))
    assert b"76.05" not in base64.b64decode(sealed.ciphertext)
    assert "76.05" not in sealed.ciphertext


def test_equal_offers_give_different_commitments_and_ciphertexts():
    a = sealing.seal(auction=7, firm=3, offer=Decimal("10"))
    b = sealing.seal(auction=7, firm=3, offer=Decimal("10"))
    assert a.commitment != b.commitment and a.ciphertext != b.ciphertext


@pytest.mark.parametrize("auction, firm", [(7, 4), (8, 3)], ids=["another firm", "another auction"])
def test_a_ciphertext_moved_to_another_bid_does_not_open(auction, firm):
    sealed = sealing.seal(auction=7, firm=3, offer=Decimal("10"))
    with pytest.raises(sealing.SealBroken, match="altered or moved"):
        sealing.unseal(auction=auction, firm=firm, ciphertext=sealed.ciphertext, commitment=sealed.commitment)


def test_a_flipped_bit_is_detected():
    sealed = sealing.seal(auction=7, firm=3, offer=Decimal("10"))
    blob = bytearray(base64.b64decode(sealed.ciphertext))
    blob[20] ^= 1
    with pytest.raises(sealing.SealBroken):
        sealing.unseal(auction=7, firm=3, ciphertext=base64.b64encode(blob).decode(), commitment=sealed.commitment)


def test_a_commitment_that_does_not_match_is_detected():
    sealed = sealing.seal(auction=7, firm=3, offer=Decimal("10"))
    other = sealing.seal(auction=7, firm=3, offer=Decimal("11"))
    with pytest.raises(sealing.SealBroken, match="does not match its commitment"):
        sealing.unseal(auction=7, firm=3, ciphertext=sealed.ciphertext, commitment=other.commitment)


def test_another_key_cannot_open(settings):
    sealed = sealing.seal(auction=7, firm=3, offer=Decimal("10"))
    settings.SEALED_OFFER_KEY = sealing.new_key()
    with pytest.raises(sealing.SealBroken):
        sealing.unseal(auction=7, firm=3, ciphertext=sealed.ciphertext, commitment=sealed.commitment)


@pytest.mark.parametrize("key", ["", "c2hvcnQ="], ids=["missing", "too short"])
def test_a_missing_or_wrong_sized_key_is_a_clear_configuration_error(settings, key):
    settings.SEALED_OFFER_KEY = key
    with pytest.raises(ImproperlyConfigured, match="SEALED_OFFER_KEY"):
        sealing.seal(auction=1, firm=1, offer=Decimal("10"))
