from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = "Notifications and due dates"

    def ready(self):
        from notifications import audiences  # noqa: F401 - registers the built-in audience `user:`
