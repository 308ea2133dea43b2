"""The admin's searches are answered by trigram indexes on PostgreSQL, not by reading tables."""

import re

import pytest
from django.contrib import admin
from django.db import connection
from django.test import RequestFactory

from accounts.models import User
from accounts.tests.factories import AdminUserFactory
from auditoria.models import Actividad
from documentos.models import Documento, DocumentoVersion, Folder
from proyectos.models import Proyecto, ProyectoMember
from workspaces.models import Workspace, WorkspaceMember

pytestmark = [pytest.mark.postgresql, pytest.mark.django_db]

#: The b-tree indexes of the lists' order on the columns searched (through a relation too).
ORDER_INDEXES = (
    "users_email_order_idx",
    "workspaces_nombre_order_idx",
    "proyectos_nombre_order_idx",
)


@pytest.mark.parametrize(
    ("model", "indexes"),
    [
        (User, {"users_email_trgm", "users_nombre_trgm"}),
        (Workspace, {"workspaces_nombre_trgm", "workspaces_slug_trgm"}),
        (Proyecto, {"proyectos_nombre_trgm"}),
        (Folder, {"folders_nombre_trgm", "folders_path_trgm"}),
        (Documento, {"documentos_nombre_trgm"}),
        (Actividad, {"actividades_descripcion_trgm"}),
        # Related columns: each searched in its own table, through its own index.
        (WorkspaceMember, {"users_email_trgm", "users_nombre_trgm", "workspaces_nombre_trgm"}),
        (ProyectoMember, {"users_email_trgm", "users_nombre_trgm", "proyectos_nombre_trgm"}),
        (DocumentoVersion, {"documentos_nombre_trgm"}),
    ],
    ids=lambda value: getattr(value, "__name__", ""),
)
def test_admin_search_sql_uses_the_trigram_indexes(model, indexes):
    if connection.vendor != "postgresql":
        pytest.skip("pg_trgm is PostgreSQL's")
    request = RequestFactory().get("/")
    request.user = AdminUserFactory()
    model_admin = admin.site.get_model_admin(model)
    queryset, _duplicates = model_admin.get_search_results(
        request, model._default_manager.all(), "hormigón"
    )
    with connection.cursor() as cursor:
        # On an almost empty table a sequential scan is cheaper: forbid it, see what is usable.
        cursor.execute("SET LOCAL enable_seqscan = off")
        # Nor a walk of a whole b-tree: a GIN index is read by bitmap scans only.
        cursor.execute("SET LOCAL enable_indexscan = off")
        # Nor a bitmap of a whole b-tree of a list's order, which on a table this small costs
        # less than the trigram index (dropped in the test's transaction, which rolls back).
        cursor.execute(f"DROP INDEX {', '.join(ORDER_INDEXES)}")
    # Unordered: on a tiny table an ordered index scan would win, at scale the filter does.
    plan = queryset.order_by().explain()
    for index in indexes:
        # A partitioned table's index (actividades) is read through each partition's own.
        assert {index, *_partition_indexes(index)} & set(re.findall(r"\w+", plan)), plan


def _partition_indexes(index):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT inhrelid::regclass::text FROM pg_inherits WHERE inhparent = %s::regclass",
            [index],
        )
        return {name for (name,) in cursor.fetchall()}


def test_related_search_finds_by_each_column_without_duplicates(admin_client):
    from proyectos.tests.factories import ProyectoFactory, ProyectoMemberFactory

    ana = ProyectoMemberFactory(user__email="ana.hormigon@example.com", user__nombre="Ana")
    ProyectoMemberFactory(user=ana.user, proyecto=ProyectoFactory(nombre="Torre Hormigón"))
    ProyectoMemberFactory(user__nombre="Luis Hormigón")
    ProyectoMemberFactory(user__nombre="Otro", proyecto__nombre="Nada")
    url = "/admin/proyectos/proyectomember/"
    found = admin_client.get(url, {"q": "hormigón"}).context["cl"].result_list
    assert len(found) == 2  # "hormigón" vs "hormigon": icontains is accent-sensitive
    found = admin_client.get(url, {"q": "hormig"}).context["cl"].result_list
    assert len(found) == 3
    both_terms = admin_client.get(url, {"q": "ana torre"}).context["cl"].result_list
    assert [member.proyecto.nombre for member in both_terms] == ["Torre Hormigón"]
