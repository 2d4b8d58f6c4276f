from django.urls import include, path

urlpatterns = [
    path("", include("licences.post_urls")),
    path("", include("licences.el_urls")),
    path("", include("licences.register_urls")),
]
