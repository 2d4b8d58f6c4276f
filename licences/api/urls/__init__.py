from django.urls import include, path

urlpatterns = [
    path("", include("licences.api.urls.lease")),
    path("", include("licences.api.urls.exploration")),
    path("", include("licences.api.urls.register")),
    path("", include("licences.api.urls.ocds")),
    path("", include("licences.api.urls.ownership")),
]
