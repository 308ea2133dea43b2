"""The project's app config: it registers the project's system checks."""

from django.apps import AppConfig


class PiliquartsConfig(AppConfig):
    name = "piliquarts"
    verbose_name = "PILi Quarts"
    default = True

    def ready(self):
        from piliquarts import checks  # noqa: F401 (registers the system checks)
