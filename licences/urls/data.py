"""The open data's page and its dump files."""

from django.urls import path

from licences.views import data

urlpatterns = [
    path("data/", data.data_page, name="open_data"),
    path("data/<path:name>", data.data_file, name="open_data_file"),
]
