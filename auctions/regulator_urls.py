from django.urls import path

from auctions import regulator_views as views

app_name = "regulator"

urlpatterns = [
    path("blocks/", views.block_list, name="block_list"),
    path("blocks/import/", views.block_import, name="block_import"),
]
