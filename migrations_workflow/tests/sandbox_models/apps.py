from django.apps import AppConfig


class SandboxModelsConfig(AppConfig):
    """An app with a model, installed only by tests of `db create` and `db current`."""

    name = "migrations_workflow.tests.sandbox_models"
    label = "sandbox_models"
    default_auto_field = "django.db.models.BigAutoField"
