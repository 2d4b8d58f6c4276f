"""The public pages of tranches and auctions: /tranches/, /auctions/<id>/, /calendar/ (and /calendar.ics), /results/,
the email alerts /alerts/ and the Atom feed /feeds/notices.atom."""

from django.urls import path

from auctions.feeds import NoticesFeed
from auctions.views import alerts
from auctions.views import public as views

app_name = "public_auctions"

urlpatterns = [
    path("tranches/", views.tranche_list, name="tranche_list"),
    path("tranches/<int:pk>/", views.tranche_detail, name="tranche_detail"),
    path("auctions/<int:pk>/", views.auction_detail, name="auction_detail"),
    path("calendar/", views.calendar, name="calendar"),
    path("results/", views.results, name="results"),
    path("calendar.ics", alerts.calendar_ics, name="calendar_ics"),
    path("alerts/", alerts.alerts, name="alerts"),
    path("feeds/notices.atom", NoticesFeed(), name="notices_feed"),
]
