from django.urls import path

from blocks.views import public as views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("blocks/", views.block_list, name="block_list"),
    path("blocks/<text:code>/", views.block_detail, name="block_detail"),
]
