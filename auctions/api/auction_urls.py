"""The signed-in API of the central auction (auctions/api/auction_actions.py), under /api/v1/."""

from django.urls import path

from auctions.api import auction_actions as views

urlpatterns = [
    path("tranches", views.TrancheListCreateApi.as_view(), name="api-tranches"),
    path("tranches/<int:pk>/notify", views.TrancheNotifyApi.as_view(), name="api-tranche-notify"),
    path("auctions/<int:pk>/bids", views.AuctionBidsApi.as_view(), name="api-auction-bids"),
    path("bids/<int:participation_id>/evaluation", views.BidEvaluationApi.as_view(), name="api-bid-evaluation"),
    path("auctions/<int:pk>/reject-affiliates", views.RejectAffiliatesApi.as_view(), name="api-reject-affiliates"),
    path("auctions/<int:pk>/open", views.AuctionOpenApi.as_view(), name="api-auction-open"),
    path("auctions/<int:pk>/second-attempt", views.SecondAttemptApi.as_view(), name="api-second-attempt"),
    path("my/auctions", views.MyAuctionsApi.as_view(), name="api-my-auctions"),
    path("auctions/<int:pk>/document", views.DocumentPurchaseApi.as_view(), name="api-document-buy"),
    path("auctions/<int:pk>/bid", views.BidApi.as_view(), name="api-bid"),
    path("auctions/<int:pk>/my-bid", views.MyBidApi.as_view(), name="api-my-bid"),
]
