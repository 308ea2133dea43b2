from django.apps import AppConfig


class SandboxConfig(AppConfig):
    """An app installed only by the migration workflow tests; its migrations are the cases."""

    name = "migrations_workflow.tests.sandbox"
    label = "sandbox"
