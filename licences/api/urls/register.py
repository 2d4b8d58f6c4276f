"""API URLs of the register part of licences: the public register and a firm's deadlines."""

from django.urls import path

from licences.api import downloads, register, root

urlpatterns = [
    path("public/", root.PublicRootView.as_view(), name="public-root"),
    path("public/licences", register.PublicLicenceListView.as_view(), name="public-licence-list"),
    path("public/licences.csv", register.PublicLicenceCSVView.as_view(), name="public-licence-csv"),
    path("public/obligations.csv", downloads.ObligationCSVView.as_view(), name="public-obligation-csv"),
    path("public/licences/<int:pk>", register.PublicLicenceDetailView.as_view(), name="public-licence-detail"),
    path("firms/me/deadlines", register.MyDeadlinesView.as_view(), name="firm-me-deadlines"),
]
