"""Pages of exploration licences (an EL's page for its holder and the regulators) and of area proposals (a firm's,
and the regulators' queue)."""

from django.urls import path

from licences.views import exploration as views

app_name = "el"

urlpatterns = [
    path("licences/<int:pk>/exploration/", views.exploration, name="exploration"),
    path("licences/<int:pk>/exploration/grant/", views.grant, name="grant"),
    path("licences/<int:pk>/exploration/extend/", views.extend, name="extend"),
    path("licences/<int:pk>/exploration/extension-request/", views.extension_request, name="extension_request"),
    path("licences/<int:pk>/exploration/report/", views.report, name="report"),
    path("licences/<int:pk>/exploration/relinquish/", views.relinquish, name="relinquish"),
    path("licences/<int:pk>/exploration/discovery/", views.discovery, name="discovery"),
    path(
        "licences/<int:pk>/exploration/reports/<int:report_id>/document",
        views.report_document,
        name="report_document",
    ),
    path("firm/proposals/", views.firm_proposals, name="firm_proposals"),
    path("regulator/proposals/", views.regulator_proposals, name="regulator_proposals"),
    path("regulator/proposals/<int:pk>/", views.regulator_proposal, name="regulator_proposal"),
    path("regulator/proposals/<int:pk>/accept/", views.proposal_accept, name="proposal_accept"),
    path("regulator/proposals/<int:pk>/reject/", views.proposal_reject, name="proposal_reject"),
]
