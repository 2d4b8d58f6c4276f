"""What the licence register does when another app reports an event (connected in `LicencesConfig.ready`)."""

from django.dispatch import receiver

from auctions.signals import auction_settled
from licences.services.award import licence_create_from_auction


@receiver(auction_settled, dispatch_uid="licences.licence_from_settled_auction")
def licence_from_settled_auction(sender, *, auction, winner, **kwargs):
    """An auction's preferred bidder is declared: its licence record, in the settlement's own transaction."""
    licence_create_from_auction(auction=auction, winner=winner)
