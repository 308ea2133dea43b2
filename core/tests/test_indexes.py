"""The indexes the guide asks for, one behind every foreign key, and the feeds' indexes."""

import pytest
from django.apps import apps
from django.db import connection, models

from core.testing import plan_nodes
from docgen.erd import DOMAIN_APPS
from documentos.models import Folder
from documentos.tests.factories import FolderFactory

pytestmark = pytest.mark.django_db


def _leading_columns(table):
    """The first column of every index, unique constraint and primary key of `table`."""
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, table)
    return {
        c["columns"][0]
        for c in constraints.values()
        if (c["index"] or c["unique"] or c["primary_key"]) and c["columns"] and c["columns"][0]
    }


FOREIGN_KEYS = [
    (model._meta.db_table, field.column)
    for label in DOMAIN_APPS
    for model in apps.get_app_config(label).get_models()
    for field in model._meta.concrete_fields
    if isinstance(field, models.ForeignKey)
]


@pytest.mark.parametrize(("table", "column"), FOREIGN_KEYS)
def test_every_foreign_key_leads_an_index(table, column):
    assert column in _leading_columns(table)


@pytest.mark.parametrize(
    ("table", "column"),
    [("workspaces", "slug"), ("folders", "path"), ("actividades", "created_at")],
)
def test_guide_indexes_exist(table, column):
    assert column in _leading_columns(table)


def test_email_has_a_case_insensitive_unique_index():
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, "users")
    assert constraints["users_email_ci_unique"]["unique"]


@pytest.mark.parametrize(
    ("index", "columns"),
    [
        ("actividades_ws_feed_idx", ["workspace_id", "created_at", "id"]),
        ("actividades_proy_feed_idx", ["proyecto_id", "created_at", "id"]),
        ("documentos_folder_nombre_idx", ["folder_id", "nombre"]),
    ],
)
def test_indexes_for_the_obvious_reads(index, columns):
    table = index.split("_")[0]
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, table)
    assert constraints[index]["columns"] == columns


@pytest.mark.postgresql
def test_folder_subtree_prefix_search_uses_the_path_index():
    if connection.vendor != "postgresql":
        pytest.skip("query plans are PostgreSQL's")
    root = FolderFactory(nombre="Planos")
    for n in range(50):
        FolderFactory(proyecto=root.proyecto, parent=root, nombre=f"sub{n}")
    # Other folders the prefix leaves out: a whole-table read is then visibly dearer.
    otros = FolderFactory(proyecto=root.proyecto, nombre="Otros")
    for n in range(300):
        FolderFactory(proyecto=root.proyecto, parent=otros, nombre=f"otra{n}")
    subtree = Folder.objects.filter(path__startswith="/Planos/")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE folders")
        # With a few rows a sequential scan is cheaper; forbid it to see the index is usable.
        cursor.execute("SET LOCAL enable_seqscan = off")
    plan = subtree.explain()
    assert "folders_path_prefix_idx" in plan
    # The prefix is an index range condition (text_pattern_ops), not a filter over all rows.
    assert "~>=~" in plan
    assert subtree.count() == 50


@pytest.mark.postgresql
@pytest.mark.parametrize(
    ("model", "order", "index"),
    [
        ("documentos.Folder", ("path", "id"), "folders_trash_path_idx"),
        ("documentos.Documento", ("nombre", "-id"), "documentos_trash_nombre_idx"),
    ],
)
def test_the_trash_is_read_from_its_own_index_in_the_lists_order(model, order, index):
    """TrashFilter's list: its count and its page read a partial index of the trash,
    not every row of the table (80,000 folders at the large preset)."""
    if connection.vendor != "postgresql":
        pytest.skip("query plans are PostgreSQL's")
    trash = apps.get_model(model)._base_manager.filter(deleted_at__isnull=False)
    for read in (trash.order_by(*order).values("pk")[:51], trash.values("pk")[:1001]):
        nodes = plan_nodes(*read.query.sql_with_params(), "enable_seqscan = off")
        assert {node["Index Name"] for node in nodes if "Index Name" in node} == {index}
