from django.urls import path

from bidders import views

app_name = "firm"

urlpatterns = [
    path("signup/", views.signup, name="signup"),
    path("firm/", views.dashboard, name="dashboard"),
    path("firm/edit", views.firm_update, name="update"),
    path("firm/members/add", views.member_add, name="member_add"),
    path("firm/members/<int:pk>/role", views.member_role, name="member_role"),
    path("firm/members/<int:pk>/remove", views.member_remove, name="member_remove"),
    path("firm/affiliations/add", views.affiliation_add, name="affiliation_add"),
    path("firm/affiliations/<int:pk>/remove", views.affiliation_remove, name="affiliation_remove"),
    path("firm/owners/add", views.beneficial_owner_add, name="beneficial_owner_add"),
    path("firm/owners/<int:pk>/remove", views.beneficial_owner_remove, name="beneficial_owner_remove"),
    path("firm/documents/upload", views.document_upload, name="document_upload"),
    path("firm/documents/<int:pk>/remove", views.document_remove, name="document_remove"),
    path("firm/documents/<int:pk>/", views.document_download, name="document_download"),
]
