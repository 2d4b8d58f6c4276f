"""Pages of the clearance cases (clearances/views/)."""

from django.urls import path

from clearances.views import case, lists, public

app_name = "clearances"

urlpatterns = [
    path("clearances/statistics/", public.statistics, name="statistics"),
    path("clearances/desk/", lists.desk_board, name="desk"),
    path("clearances/<int:pk>/", case.case_page, name="case"),
    path("clearances/<int:pk>/query/", case.query, name="query"),
    path("clearances/<int:pk>/answer/", case.answer, name="answer"),
    path("clearances/<int:pk>/advance/", case.advance, name="advance"),
    path("clearances/<int:pk>/decide/", case.decide, name="decide"),
    path("clearances/<int:pk>/contest/", case.contest, name="contest"),
    path("clearances/<int:pk>/withdraw/", case.withdraw, name="withdraw"),
    path("clearances/<int:pk>/revoke/", case.revoke, name="revoke"),
    path("clearances/<int:pk>/documents/", case.upload, name="upload"),
    path("clearances/<int:pk>/documents/<int:document_id>/", public.document, name="document"),
    path("firm/clearances/", lists.firm_cases, name="firm_cases"),
    path("licences/<int:pk>/clearances/file/", lists.file_case, name="file"),
    path("authority/clearances/", lists.officer_queue, name="queue"),
    path("regulator/clearances/", lists.regulator_board, name="regulator"),
]
