from django.apps import AppConfig
from django.urls import register_converter


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Khanij core"

    def ready(self):
        from core.converters import TextConverter

        register_converter(TextConverter, "text")
