from django.urls import path

from blocks.api import public

app_name = "public_api"

urlpatterns = [
    path("minerals", public.MineralListView.as_view(), name="mineral-list"),
    path("blocks", public.BlockListView.as_view(), name="block-list"),
    path("blocks.csv", public.BlockCSVView.as_view(), name="block-csv"),
    path("blocks/<text:code>", public.BlockDetailView.as_view(), name="block-detail"),
]
