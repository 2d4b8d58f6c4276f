"""The auction pages of regulators (/regulator/tranches/, /regulator/auctions/<id>/) and firms (/firm/auctions/)."""

from django.urls import path

from auctions.views import firm, regulator

app_name = "flow"

urlpatterns = [
    path("regulator/tranches/", regulator.tranche_list, name="tranche_list"),
    path("regulator/tranches/new/", regulator.tranche_create, name="tranche_create"),
    path("regulator/tranches/<int:pk>/", regulator.tranche_detail, name="tranche_detail"),
    path("regulator/tranches/<int:pk>/notify/", regulator.tranche_notify, name="tranche_notify"),
    path("regulator/tranches/<int:pk>/open/", regulator.tranche_open, name="tranche_open"),
    path("regulator/auctions/<int:pk>/", regulator.auction_desk, name="auction_desk"),
    path("regulator/auctions/<int:pk>/lock-bids/", regulator.auction_lock_bids, name="auction_lock_bids"),
    path(
        "regulator/auctions/<int:pk>/bids/<int:participation_id>/evaluate/",
        regulator.participation_evaluate,
        name="participation_evaluate",
    ),
    path(
        "regulator/auctions/<int:pk>/reject-affiliates/",
        regulator.auction_reject_affiliates,
        name="auction_reject_affiliates",
    ),
    path("regulator/auctions/<int:pk>/open/", regulator.auction_open, name="auction_open"),
    path("regulator/auctions/<int:pk>/renotify/", regulator.auction_renotify, name="auction_renotify"),
    path("regulator/auctions/<int:pk>/settle/", regulator.auction_settle, name="auction_settle"),
    path("firm/auctions/", firm.firm_auctions, name="firm_auctions"),
    path("firm/auctions/<int:pk>/", firm.participation_page, name="participation"),
    path("firm/auctions/<int:pk>/buy-document/", firm.participation_buy_document, name="buy_document"),
    path("firm/auctions/<int:pk>/bid/", firm.participation_submit, name="submit_bid"),
    path("firm/auctions/<int:pk>/withdraw/", firm.participation_withdraw, name="withdraw_bid"),
    path("bids/<int:pk>/technical-bid.pdf", firm.technical_bid_document, name="technical_bid_document"),
]
