from django.urls import path

from blocks.views import regulator as views

app_name = "regulator"

urlpatterns = [
    path("blocks/", views.block_list, name="block_list"),
    path("blocks/new/", views.block_create, name="block_create"),
    path("blocks/import/", views.block_import, name="block_import"),
    path("blocks/import/template.csv", views.block_import_template, {"kind": "csv"}, name="block_import_template_csv"),
    path(
        "blocks/import/template.geojson",
        views.block_import_template,
        {"kind": "geojson"},
        name="block_import_template_geojson",
    ),
    path("blocks/import/<int:pk>/", views.block_import_detail, name="block_import_detail"),
    path("blocks/import/<int:pk>/status.json", views.block_import_status, name="block_import_status"),
    path("blocks/<path:code>/edit/", views.block_edit, name="block_edit"),
]
