from django.urls import path

from blocks.api import regulator

urlpatterns = [
    path("blocks", regulator.BlockListCreateApi.as_view(), name="api-regulator-blocks"),
    path("blocks/<text:code>", regulator.BlockDetailApi.as_view(), name="api-regulator-block"),
]
