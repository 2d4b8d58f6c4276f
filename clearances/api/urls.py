"""API URLs of the clearance cases, under /api/v1/: the public record (`public/clearances...`) and the signed-in
reads and acts."""

from django.urls import path

from clearances.api import acts, cases, public

urlpatterns = [
    path("public/clearances", public.PublicCaseListView.as_view(), name="public-clearance-list"),
    path("public/clearances.csv", public.PublicCaseCSVView.as_view(), name="public-clearance-csv"),
    path("public/clearances/statistics", public.PublicStatisticsView.as_view(), name="public-clearance-statistics"),
    path("public/clearances/<int:pk>", public.PublicCaseDetailView.as_view(), name="public-clearance-detail"),
    path("clearances", cases.CaseListApi.as_view(), name="api-clearances"),
    path("clearances/overdue", cases.OverdueBoardApi.as_view(), name="api-clearances-overdue"),
    path("clearances/<int:pk>", cases.CaseDetailApi.as_view(), name="api-clearance"),
    path("licences/<int:pk>/clearances", acts.CaseFileApi.as_view(), name="api-clearance-file"),
    path("clearances/<int:pk>/queries", acts.QueryRaiseApi.as_view(), name="api-clearance-query"),
    path("clearances/<int:pk>/answer", acts.QueryAnswerApi.as_view(), name="api-clearance-answer"),
    path("clearances/<int:pk>/advance", acts.StageAdvanceApi.as_view(), name="api-clearance-advance"),
    path("clearances/<int:pk>/decide", acts.CaseDecideApi.as_view(), name="api-clearance-decide"),
    path("clearances/<int:pk>/contest", acts.CaseContestApi.as_view(), name="api-clearance-contest"),
    path("clearances/<int:pk>/withdraw", acts.CaseWithdrawApi.as_view(), name="api-clearance-withdraw"),
    path("clearances/<int:pk>/revoke", acts.CaseRevokeApi.as_view(), name="api-clearance-revoke"),
    path("clearances/<int:pk>/documents", acts.DocumentAddApi.as_view(), name="api-clearance-documents"),
]
