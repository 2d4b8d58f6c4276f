"""Events other apps react to, so that `auctions` never imports the apps built on it (licences)."""

from django.dispatch import Signal

# Sent inside the settlement's transaction once a preferred bidder is declared; receivers run in the same
# transaction, so the auction is settled if and only if what follows from it (the licence record) is written.
# Arguments: auction (auctions.Auction), winner (auctions.Participation).
auction_settled = Signal()
