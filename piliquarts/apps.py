from django.apps import AppConfig


class PiliquartsConfig(AppConfig):
    name = "piliquarts"
    verbose_name = "PILi Quarts"

    def ready(self):
        from piliquarts import checks  # noqa: F401 (registers the system checks)
