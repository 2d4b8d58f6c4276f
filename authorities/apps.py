from django.apps import AppConfig


class AuthoritiesConfig(AppConfig):
    name = "authorities"
    verbose_name = "Public bodies and their officers"

    def ready(self):
        from authorities.audiences import authority_keys, authority_users
        from notifications.audiences import audience_register

        # Reminders and calendars name a public body as `authority:<code>`; its officers are read when sending.
        audience_register("authority", users=authority_users, keys_of=authority_keys)
