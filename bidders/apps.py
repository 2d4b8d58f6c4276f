from django.apps import AppConfig


class BiddersConfig(AppConfig):
    name = "bidders"
    verbose_name = "Firms and people"
