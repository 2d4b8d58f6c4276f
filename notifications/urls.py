from django.urls import path

from notifications import views

app_name = "notifications"

urlpatterns = [
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/read/", views.mark_all_read, name="mark_all_read"),
    path("calendar/mine/", views.my_calendar, name="my_calendar"),
    path("calendar/feed/<str:token>.ics", views.calendar_feed, name="calendar_feed"),
    path("alerts/confirm/<str:token>/", views.alert_confirmed, name="alert_confirm"),
    path("alerts/unsubscribe/<str:token>/", views.alert_unsubscribed, name="alert_unsubscribe"),
    path("alerts/privacy/", views.alert_privacy, name="alert_privacy"),
]
