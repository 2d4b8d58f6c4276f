from django.urls import include, path

urlpatterns = [
    path("", include("licences.urls.lease")),
    path("", include("licences.urls.exploration")),
    path("", include("licences.urls.register")),
    path("", include("licences.urls.data")),
]
