from django.apps import AppConfig


class LicencesConfig(AppConfig):
    name = "licences"
    verbose_name = "Licences and clearances"

    def ready(self):
        from licences import receivers  # noqa: F401 - connects the receivers of other apps' signals
