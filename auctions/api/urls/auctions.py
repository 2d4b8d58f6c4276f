"""The signed-in API of the central auction (auctions/api/regulator.py, firm.py), under /api/v1/."""

from django.urls import path

from auctions.api import firm, opening, regulator

urlpatterns = [
    path("tranches", regulator.TrancheListCreateApi.as_view(), name="api-tranches"),
    path("tranches/<int:pk>/notify", regulator.TrancheNotifyApi.as_view(), name="api-tranche-notify"),
    path("auctions/<int:pk>/bids", regulator.AuctionBidsApi.as_view(), name="api-auction-bids"),
    path("bids/<int:participation_id>/evaluation", regulator.BidEvaluationApi.as_view(), name="api-bid-evaluation"),
    path("auctions/<int:pk>/reject-affiliates", regulator.RejectAffiliatesApi.as_view(), name="api-reject-affiliates"),
    path("tranches/<int:pk>/open", opening.TrancheOpenApi.as_view(), name="api-tranche-open"),
    path("tranches/<int:pk>/opening", opening.TrancheOpeningApi.as_view(), name="api-tranche-opening"),
    path("auctions/<int:pk>/open", opening.AuctionOpenApi.as_view(), name="api-auction-open"),
    path("auctions/<int:pk>/opening", opening.AuctionOpeningApi.as_view(), name="api-auction-opening"),
    path("auctions/<int:pk>/second-attempt", regulator.SecondAttemptApi.as_view(), name="api-second-attempt"),
    path("my/auctions", firm.MyAuctionsApi.as_view(), name="api-my-auctions"),
    path("auctions/<int:pk>/document", firm.DocumentPurchaseApi.as_view(), name="api-document-buy"),
    path("auctions/<int:pk>/bid", firm.BidApi.as_view(), name="api-bid"),
    path("auctions/<int:pk>/my-bid", firm.MyBidApi.as_view(), name="api-my-bid"),
]
