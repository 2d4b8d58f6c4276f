from django.urls import path

from bidders import views

app_name = "firm"

urlpatterns = [
    path("signup/", views.signup, name="signup"),
    path("firm/", views.dashboard, name="dashboard"),
]
