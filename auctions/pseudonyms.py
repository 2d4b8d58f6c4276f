"""Bidders' pseudonyms in the public offer history: pure (no ORM), so that the e-auction's writes, the room's
reads and the replay compute the same token."""

from typing import TYPE_CHECKING

from auctions import sealing

if TYPE_CHECKING:
    from auctions.models import Auction


def bidder_token(auction: "Auction", firm_id: int) -> str:
    """A bidder's pseudonym in the public offer history: the link to the firm is published at the close,
    with the salt, so anyone can then check which firm made which offer."""
    return sealing.bidder_token(salt=auction.bidder_salt, auction=auction.pk, firm=firm_id)
