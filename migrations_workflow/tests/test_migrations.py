"""Every app's migrations reverse: to zero and forward again gives the same schema."""

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection

from docgen.erd import DOMAIN_APPS
from migrations_workflow.schema import schema_snapshot


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("back_to_head")
@pytest.mark.parametrize("app", DOMAIN_APPS)
def test_app_migrates_to_zero_and_back_to_the_same_schema(app):
    before = schema_snapshot()
    call_command("migrate", app, "zero", verbosity=0)
    tables = set(connection.introspection.table_names())
    for model in apps.get_app_config(app).get_models():
        assert model._meta.db_table not in tables
    call_command("migrate", verbosity=0)
    assert schema_snapshot() == before


@pytest.mark.django_db
def test_models_and_migrations_agree():
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)
