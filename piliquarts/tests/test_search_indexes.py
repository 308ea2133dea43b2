"""The admin's searches are answered by trigram indexes on PostgreSQL, not by reading tables."""

import pytest
from django.contrib import admin
from django.db import connection
from django.test import RequestFactory

from accounts.models import User
from accounts.tests.factories import AdminUserFactory
from auditoria.models import Actividad
from documentos.models import Documento, Folder
from proyectos.models import Proyecto
from workspaces.models import Workspace

pytestmark = [pytest.mark.postgresql, pytest.mark.django_db]


@pytest.mark.parametrize(
    ("model", "indexes"),
    [
        (User, {"users_email_trgm", "users_nombre_trgm"}),
        (Workspace, {"workspaces_nombre_trgm", "workspaces_slug_trgm"}),
        (Proyecto, {"proyectos_nombre_trgm"}),
        (Folder, {"folders_nombre_trgm", "folders_path_trgm"}),
        (Documento, {"documentos_nombre_trgm"}),
        (Actividad, {"actividades_descripcion_trgm"}),
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
    # Unordered: on a tiny table an ordered index scan would win, at scale the filter does.
    plan = queryset.order_by().explain()
    for index in indexes:
        assert index in plan, plan
