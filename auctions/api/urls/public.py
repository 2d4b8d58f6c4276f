from django.urls import path

from auctions.api import downloads
from auctions.api import public as views

app_name = "public_auctions_api"

urlpatterns = [
    path("tranches", views.PublicTrancheListView.as_view(), name="tranche-list"),
    path("tranches.csv", downloads.TrancheCSVView.as_view(), name="tranche-csv"),
    path("tranches/<int:pk>", views.PublicTrancheDetailView.as_view(), name="tranche-detail"),
    path("auctions", views.PublicAuctionListView.as_view(), name="auction-list"),
    path("auctions.csv", downloads.AuctionCSVView.as_view(), name="auction-csv"),
    path("results.csv", downloads.ResultCSVView.as_view(), name="result-csv"),
    path("auctions/<int:pk>", views.PublicAuctionDetailView.as_view(), name="auction-detail"),
]
