"""API URLs after the auction (licences/api/post.py), under /api/v1/."""

from django.urls import path

from licences.api import ending
from licences.api import lease as views

urlpatterns = [
    path("licences/<int:pk>/obligations", views.LicenceObligationsApi.as_view(), name="api-licence-obligations"),
    path("licences/<int:pk>/payments", views.LicencePaymentsApi.as_view(), name="api-licence-payments"),
    path("payments/<int:pk>/confirm", views.PaymentConfirmApi.as_view(), name="api-payment-confirm"),
    path("payments/<int:pk>/reject", views.PaymentRejectApi.as_view(), name="api-payment-reject"),
    path("licences/<int:pk>/loi", views.LicenceLoiApi.as_view(), name="api-licence-loi"),
    path("obligations/<int:pk>/met", views.ObligationMetApi.as_view(), name="api-obligation-met"),
    path("licences/<int:pk>/mdpa", views.LicenceMdpaApi.as_view(), name="api-licence-mdpa"),
    path("licences/<int:pk>/execute", views.LicenceExecuteApi.as_view(), name="api-licence-execute"),
    path("licences/<int:pk>/revoke", views.LicenceRevokeApi.as_view(), name="api-licence-revoke"),
    path("licences/<int:pk>/surrender", ending.LicenceSurrenderApi.as_view(), name="api-licence-surrender"),
    path(
        "licences/<int:pk>/surrender/accept",
        ending.LicenceSurrenderAcceptApi.as_view(),
        name="api-licence-surrender-accept",
    ),
    path(
        "licences/<int:pk>/security-release",
        ending.LicenceSecurityReleaseApi.as_view(),
        name="api-licence-security-release",
    ),
    path("licences/<int:pk>/terminate", ending.LicenceTerminateApi.as_view(), name="api-licence-terminate"),
    path("licences/<int:pk>/premium-returns", views.PremiumReturnsApi.as_view(), name="api-licence-premium-returns"),
]
