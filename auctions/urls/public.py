"""The public pages of tranches and auctions: /tranches/, /auctions/<id>/, /calendar/, /results/."""

from django.urls import path

from auctions.views import public as views

app_name = "public_auctions"

urlpatterns = [
    path("tranches/", views.tranche_list, name="tranche_list"),
    path("tranches/<int:pk>/", views.tranche_detail, name="tranche_detail"),
    path("auctions/<int:pk>/", views.auction_detail, name="auction_detail"),
    path("calendar/", views.calendar, name="calendar"),
    path("results/", views.results, name="results"),
]
