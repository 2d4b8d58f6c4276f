from django.urls import path

from bidders.api import tokens, views

urlpatterns = [
    path("auth/token", tokens.AuthTokenView.as_view(), name="auth-token"),
    path("auth/tokens", tokens.MyTokensView.as_view(), name="auth-tokens"),
    path("auth/tokens/<int:pk>", tokens.MyTokenView.as_view(), name="auth-token-revoke"),
    path("auth/logout", tokens.LogoutView.as_view(), name="auth-logout"),
    path("firms", views.FirmListView.as_view(), name="firm-list"),
    path("firms/me", views.MyFirmView.as_view(), name="firm-me"),
    path("firms/me/members", views.MyMembersView.as_view(), name="firm-me-members"),
    path("firms/me/members/<int:pk>", views.MyMemberView.as_view(), name="firm-me-member"),
    path("firms/me/affiliations", views.MyAffiliationsView.as_view(), name="firm-me-affiliations"),
    path("firms/me/affiliations/<int:pk>", views.MyAffiliationView.as_view(), name="firm-me-affiliation"),
    path("firms/me/beneficial-owners", views.MyBeneficialOwnersView.as_view(), name="firm-me-beneficial-owners"),
    path("firms/me/beneficial-owners/<int:pk>", views.MyBeneficialOwnerView.as_view(), name="firm-me-beneficial-owner"),
    path("firms/<str:cin>", views.FirmDetailView.as_view(), name="firm-detail"),
]
