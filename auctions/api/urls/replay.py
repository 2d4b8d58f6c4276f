from django.urls import path

from auctions.api.replay import AuctionReplayView

app_name = "public_replay"

urlpatterns = [
    path("auctions/<int:auction_id>/replay", AuctionReplayView.as_view(), name="auction-replay"),
]
