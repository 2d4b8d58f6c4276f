from django.apps import AppConfig


class ClearancesConfig(AppConfig):
    name = "clearances"
    verbose_name = "Clearances after a lease is won"
