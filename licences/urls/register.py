"""URLs of the register part of licences: the public register and a firm's own licences and deadlines."""

from django.urls import path

from licences.views import register as views

urlpatterns = [
    path("licences/", views.licence_register, name="licence_register"),
    path("licences.csv", views.licence_csv, name="licence_csv"),
    path("licences/<int:pk>/", views.licence_detail, name="licence_detail"),
    path("licences/<int:pk>.geojson", views.licence_geojson, name="licence_geojson"),
    path("firm/deadlines/", views.firm_deadlines, name="firm_deadlines"),
    path("firm/licences/", views.firm_licences, name="firm_licences"),
]
