"""API URLs of the register part of licences: the public register and a firm's deadlines."""

from django.urls import path

from licences.api import register

urlpatterns = [
    path("public/licences", register.PublicLicenceListView.as_view(), name="public-licence-list"),
    path("public/licences.csv", register.PublicLicenceCSVView.as_view(), name="public-licence-csv"),
    path("public/licences/<int:pk>", register.PublicLicenceDetailView.as_view(), name="public-licence-detail"),
    path("firms/me/deadlines", register.MyDeadlinesView.as_view(), name="firm-me-deadlines"),
]
