"""The public beneficial-ownership data (licences/api/ownership.py), under /api/v1/."""

from django.urls import path

from licences.api import ownership

urlpatterns = [
    path(
        "public/beneficial-ownership", ownership.BeneficialOwnershipView.as_view(), name="public-beneficial-ownership"
    ),
]
