from django.urls import path

from notifications import views

app_name = "notifications"

urlpatterns = [
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/read/", views.mark_all_read, name="mark_all_read"),
]
