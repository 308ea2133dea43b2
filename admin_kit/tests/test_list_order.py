"""A platform admin's lists read their rows from an index in the list's order, unsorted.

A list whose order no index serves sorts the whole table for each page: its
cost grows with the table (30,000 project memberships: 7.7 ms for the first
page, 14 for page 50). Planned with sorting disabled, a list that still sorts
has no such index.
"""

import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import User
from accounts.tests.factories import AdminUserFactory, UserFactory
from core.testing import plan_nodes
from documentos.models import Folder
from documentos.tests.factories import FolderFactory
from proyectos.models import Proyecto, ProyectoMember
from proyectos.tests.factories import ProyectoFactory, ProyectoMemberFactory
from workspaces.models import Workspace, WorkspaceMember
from workspaces.tests.factories import WorkspaceFactory, WorkspaceMemberFactory

pytestmark = [pytest.mark.postgresql, pytest.mark.django_db]

# model -> (the index that answers its list's order (its columns, then -pk), a row factory)
ORDER_INDEXES = {
    User: ("users_email_order_idx", UserFactory),
    Workspace: ("workspaces_nombre_order_idx", WorkspaceFactory),
    WorkspaceMember: ("workspace_members_joined_idx", WorkspaceMemberFactory),
    Proyecto: ("proyectos_nombre_order_idx", ProyectoFactory),
    ProyectoMember: ("proyecto_members_joined_idx", ProyectoMemberFactory),
    Folder: ("folders_path_order_idx", FolderFactory),
}


@pytest.mark.parametrize("model", ORDER_INDEXES, ids=lambda model: model._meta.db_table)
def test_a_list_page_reads_its_order_from_an_index(client, model, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("query plans are PostgreSQL's")
    index, factory = ORDER_INDEXES[model]
    # More rows than a page: a list on one page is read whole, without its paginator.
    monkeypatch.setattr(admin.site.get_model_admin(model), "list_per_page", 2)
    for _ in range(3):
        factory()
    client.force_login(AdminUserFactory())
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    with CaptureQueriesContext(connection) as ran:
        assert client.get(url).status_code == 200
    table = model._meta.db_table
    (read,) = [q["sql"] for q in ran if q["sql"].startswith(f'SELECT "{table}"."id" AS "pk"')]
    assert "ORDER BY" in read, read
    nodes = plan_nodes(read, None, "enable_seqscan = off", "enable_sort = off")
    kinds = [node["Node Type"] for node in nodes]
    assert "Sort" not in kinds and "Incremental Sort" not in kinds, kinds
    assert index in {node.get("Index Name") for node in nodes}, nodes
