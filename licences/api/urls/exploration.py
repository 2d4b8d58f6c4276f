"""API URLs of exploration licences and area proposals (licences/api/el.py), under /api/v1/."""

from django.urls import path

from licences.api import exploration as views

urlpatterns = [
    path("licences/<int:pk>/exploration", views.ExplorationApi.as_view(), name="api-el"),
    path("licences/<int:pk>/grant", views.GrantApi.as_view(), name="api-el-grant"),
    path("licences/<int:pk>/extend", views.ExtendApi.as_view(), name="api-el-extend"),
    path("licences/<int:pk>/extension-request", views.ExtensionRequestApi.as_view(), name="api-el-extension-request"),
    path("licences/<int:pk>/reports", views.ReportsApi.as_view(), name="api-el-reports"),
    path("licences/<int:pk>/relinquishment", views.RelinquishmentApi.as_view(), name="api-el-relinquishment"),
    path("licences/<int:pk>/discovery", views.DiscoveryApi.as_view(), name="api-el-discovery"),
    path("area-proposals", views.AreaProposalsApi.as_view(), name="api-area-proposals"),
    path("area-proposals/<int:pk>/accept", views.ProposalAcceptApi.as_view(), name="api-area-proposal-accept"),
    path("area-proposals/<int:pk>/reject", views.ProposalRejectApi.as_view(), name="api-area-proposal-reject"),
]
