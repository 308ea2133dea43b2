"""Fixtures of the `manage.py db` tests: sandbox migrations and spare databases."""

import sys
import uuid

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder
from django.test import override_settings

import migrations_workflow as workflow
from core.testing import allow_audit_purge

SANDBOX_TABLES = ("sandbox_note", "sandbox_second", "sandbox_half", "sandbox_models_nota")


@pytest.fixture
def back_to_head():
    """Whatever a test did to the schema, the next one starts fully migrated."""
    yield
    call_command("migrate", verbosity=0)
    allow_audit_purge()  # a migration walk may have rebuilt the purge table empty


@pytest.fixture
def sandbox(back_to_head):
    """Install the sandbox app with one of its migration sets; remove every trace after."""
    overrides = []

    def install(case):
        override = override_settings(
            INSTALLED_APPS=[*settings.INSTALLED_APPS, "migrations_workflow.tests.sandbox"],
            MIGRATION_MODULES={"sandbox": f"migrations_workflow.tests.sandbox.{case}"},
        )
        override.enable()
        overrides.append(override)

    yield install
    for override in reversed(overrides):
        override.disable()
    _forget_sandboxes()


@pytest.fixture
def sandbox_models(back_to_head, tmp_path, monkeypatch):
    """Install an app with a model and an empty migrations package in tmp_path.

    Returns the folder `makemigrations` writes that app's migrations into.
    """
    package = f"sandbox_migrations_{uuid.uuid4().hex[:8]}"
    folder = tmp_path / package
    folder.mkdir()
    (folder / "__init__.py").write_text("")
    monkeypatch.syspath_prepend(str(tmp_path))
    override = override_settings(
        INSTALLED_APPS=[*settings.INSTALLED_APPS, "migrations_workflow.tests.sandbox_models"],
        MIGRATION_MODULES={"sandbox_models": package},
    )
    override.enable()
    yield folder
    override.disable()
    for name in [name for name in sys.modules if name.startswith(package)]:
        del sys.modules[name]
    _forget_sandboxes()


def _forget_sandboxes():
    MigrationRecorder(connection).migration_qs.filter(app__startswith="sandbox").delete()
    with connection.cursor() as cursor:
        for table in SANDBOX_TABLES:
            cursor.execute(f"DROP TABLE IF EXISTS {table}")


@pytest.fixture
def other_database():
    """A migrated database of its own, so restoring never touches the test database."""
    with workflow.throwaway_database() as other:
        call_command("migrate", database=other.alias, verbosity=0)
        yield other.alias
