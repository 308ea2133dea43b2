"""`manage.py db lint`: dangerous operations in new migrations fail unless allowed with a reason."""

import io

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.test import override_settings

from migrations_workflow.lint import linted_migrations
from migrations_workflow.offline_sql import migration_graph
from migrations_workflow.tests.db_helpers import db, on_postgresql

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("back_to_head")]

DANGEROUS = {
    "sandbox.0002_blocking_index": "require-concurrent-index-creation",
    "sandbox.0003_not_null_without_default": "adding-required-field",
    "sandbox.0004_drop_column": "ban-drop-column",
    "sandbox.0005_rewrite_table": "changing-column-type",
}


@on_postgresql
def test_lint_fails_each_dangerous_operation_and_passes_the_project(sandbox):
    sandbox("dangerous")
    out = io.StringIO()
    with pytest.raises(CommandError, match="4 migration"):
        call_command("db", "lint", stdout=out)
    report = out.getvalue()
    for label, rule in DANGEROUS.items():
        assert label in report and rule in report, f"{label}: {rule} not reported"
    assert "sandbox.0001_initial" not in report, "initial migrations are the documented exception"
    assert "documentos.0004_alive_nombre_index: OK" in report


def test_a_migration_allowed_with_a_reason_is_not_linted(sandbox):
    sandbox("dangerous")
    assert ("sandbox", "0002_blocking_index") in set(linted_migrations(migration_graph()))
    allow = {**settings.MIGRATION_LINT_ALLOW, "sandbox.0002_blocking_index": "test table"}
    with override_settings(MIGRATION_LINT_ALLOW=allow):
        assert ("sandbox", "0002_blocking_index") not in set(linted_migrations(migration_graph()))


@pytest.mark.sqlite
@pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3",
    reason="checks the SQLite run",
)
def test_lint_needs_postgresql_and_says_so():
    with pytest.raises(CommandError, match="point DATABASE_URL at PostgreSQL"):
        db("lint")
