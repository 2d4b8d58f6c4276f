from django.urls import include, path

urlpatterns = [
    path("", include("licences.api.post_urls")),
    path("", include("licences.api.el_urls")),
    path("", include("licences.api.register_urls")),
    path("", include("licences.api.ocds_urls")),
]
