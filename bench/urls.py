"""The project's URLs plus the benchmarks' reference view, for bench.settings only."""

from django.urls import include, path

from bench.views import BareView

urlpatterns = [
    path("bench/bare", BareView.as_view(), name="bench-bare"),
    path("", include("config.urls")),
]
