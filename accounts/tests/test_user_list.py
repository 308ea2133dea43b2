"""The users list of a member: themselves and the people of their workspaces and projects."""

import pytest
from django.contrib import admin
from django.db import connection
from django.test import RequestFactory

from accounts.models import User
from accounts.tests.factories import UserFactory
from core.testing import plan_nodes
from proyectos.tests.factories import ProyectoFactory, ProyectoMemberFactory
from workspaces.tests.factories import WorkspaceFactory, WorkspaceMemberFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    """A member of workspace A, and of project pB alone in workspace B."""
    a, b = WorkspaceFactory(), WorkspaceFactory()
    p_b, p_b2 = ProyectoFactory(workspace=b), ProyectoFactory(workspace=b)
    member = UserFactory()
    WorkspaceMemberFactory(workspace=a, user=member, rol="member")
    ProyectoMemberFactory(proyecto=p_b, user=member, rol="viewer", workspace_membership=False)
    in_a = [WorkspaceMemberFactory(workspace=a).user for _ in range(3)]
    in_p_b = [ProyectoMemberFactory(proyecto=p_b).user for _ in range(2)]
    elsewhere = [
        WorkspaceMemberFactory(workspace=b).user,
        ProyectoMemberFactory(proyecto=p_b2).user,
    ]
    return {"member": member, "seen": {member, *in_a, *in_p_b}, "unseen": elsewhere}


def _listed(user):
    request = RequestFactory().get("/")
    request.user = user
    return admin.site.get_model_admin(User).get_queryset(request)


def test_a_member_sees_themselves_and_the_people_of_their_workspaces_and_projects(people):
    listed = set(_listed(people["member"]))
    assert listed == people["seen"]
    assert not listed & set(people["unseen"])


def test_a_user_of_no_team_sees_only_themselves():
    loner = UserFactory()
    UserFactory()
    assert list(_listed(loner)) == [loner]


@pytest.mark.postgresql
def test_each_team_is_read_from_its_own_index(people):
    if connection.vendor != "postgresql":
        pytest.skip("query plans are PostgreSQL's")
    ids = _listed(people["member"]).order_by("email").values("pk")
    nodes = plan_nodes(*ids.query.sql_with_params(), "enable_seqscan = off")
    memberships = [n for n in nodes if n.get("Relation Name", "").endswith("_members")]
    assert {n["Relation Name"] for n in memberships} == {"workspace_members", "proyecto_members"}
    for node in memberships:
        # Entered at the member's workspaces or projects, not read whole.
        condition = node.get("Index Cond") or node.get("Recheck Cond", "")
        assert "workspace_id =" in condition or "proyecto_id =" in condition, node


@pytest.mark.postgresql
def test_the_users_are_looked_up_by_their_teams_ids_not_each_checked(people):
    """The teams and the user are one UNION the users are joined to: no user is checked
    against a hashed list of ids (every user of the table read, for a team of eight)."""
    if connection.vendor != "postgresql":
        pytest.skip("query plans are PostgreSQL's")
    ids = _listed(people["member"]).order_by("email").values("pk")
    nodes = plan_nodes(*ids.query.sql_with_params(), "enable_seqscan = off")
    checked = [n for n in nodes if "SubPlan" in n.get("Filter", "")]
    assert not checked, checked
