"""The auction pages of regulators (/regulator/tranches/, /regulator/auctions/<id>/) and firms (/firm/auctions/)."""

from django.urls import path

from auctions import flow_views as views

app_name = "flow"

urlpatterns = [
    path("regulator/tranches/", views.tranche_list, name="tranche_list"),
    path("regulator/tranches/new/", views.tranche_create, name="tranche_create"),
    path("regulator/tranches/<int:pk>/", views.tranche_detail, name="tranche_detail"),
    path("regulator/tranches/<int:pk>/notify/", views.tranche_notify, name="tranche_notify"),
    path("regulator/auctions/<int:pk>/", views.auction_desk, name="auction_desk"),
    path("regulator/auctions/<int:pk>/lock-bids/", views.auction_lock_bids, name="auction_lock_bids"),
    path(
        "regulator/auctions/<int:pk>/bids/<int:participation_id>/evaluate/",
        views.participation_evaluate,
        name="participation_evaluate",
    ),
    path(
        "regulator/auctions/<int:pk>/reject-affiliates/",
        views.auction_reject_affiliates,
        name="auction_reject_affiliates",
    ),
    path("regulator/auctions/<int:pk>/open/", views.auction_open, name="auction_open"),
    path("regulator/auctions/<int:pk>/renotify/", views.auction_renotify, name="auction_renotify"),
    path("regulator/auctions/<int:pk>/settle/", views.auction_settle, name="auction_settle"),
    path("firm/auctions/", views.firm_auctions, name="firm_auctions"),
    path("firm/auctions/<int:pk>/", views.participation_page, name="participation"),
    path("firm/auctions/<int:pk>/buy-document/", views.participation_buy_document, name="buy_document"),
    path("firm/auctions/<int:pk>/bid/", views.participation_submit, name="submit_bid"),
    path("firm/auctions/<int:pk>/withdraw/", views.participation_withdraw, name="withdraw_bid"),
    path("bids/<int:pk>/technical-bid.pdf", views.technical_bid_document, name="technical_bid_document"),
]
