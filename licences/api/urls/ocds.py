from django.urls import path

from licences.api import ocds as views

urlpatterns = [
    path("public/ocds/releases", views.OcdsReleaseListView.as_view(), name="ocds-releases"),
    path("public/auctions/<int:pk>/ocds", views.AuctionOcdsView.as_view(), name="auction-ocds"),
    path("public/tranches/<int:pk>/ocds", views.TrancheOcdsView.as_view(), name="tranche-ocds"),
]
