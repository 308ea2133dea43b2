"""Who may grant what: the README's "may grant" column, cell by cell, and the services hold it."""

from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError

from accounts import services as accounts_services
from accounts.models import RolGlobal
from accounts.tests.factories import UserFactory
from core.permissions import GLOBAL_RANK, PROYECTO_RANK, WORKSPACE_RANK, access_for
from proyectos import services as proyectos_services
from proyectos.models import ProyectoRol
from proyectos.tests.factories import ProyectoFactory, ProyectoMemberFactory
from workspaces import services as workspaces_services
from workspaces.models import WorkspaceMember, WorkspaceRol
from workspaces.tests.factories import WorkspaceMemberFactory

pytestmark = pytest.mark.django_db

# "any" in the README is checked with the strongest role: read-only must win even then.
ANY = {"workspace": WorkspaceRol.OWNER, "proyecto": ProyectoRol.GERENTE}


def readme_rows():
    """(rol_global, workspace rol, proyecto rol, may grant) of each row of the README's matrix."""
    lines = (Path(settings.BASE_DIR) / "README.md").read_text(encoding="utf-8").splitlines()
    header = next(n for n, line in enumerate(lines) if line.endswith("| may grant |"))
    for line in lines[header + 2 :]:
        if not line.startswith("|"):
            break
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        yield pytest.param(*cells[:3], cells[-1], id="-".join(cells[:3]))


def _role(cell, column):
    if cell in ("-", "none", "any or none"):
        return None
    return ANY[column] if cell == "any" else cell


def _at_most(ranks, rol):
    return {r for r, rank in ranks.items() if rank <= ranks[rol]}


def _expected(cell):
    """'workspace ≤ admin; proyecto ≤ gerente' -> {"workspace": {...}, ...}."""
    expected = {"global": set(), "workspace": set(), "proyecto": set()}
    ranks = {"global": GLOBAL_RANK, "workspace": WORKSPACE_RANK, "proyecto": PROYECTO_RANK}
    if cell != "-":
        for part in cell.split(";"):
            column, _le, rol = part.split()
            expected[column] = _at_most(ranks[column], rol)
    return expected


@pytest.mark.parametrize(("rol_global", "ws_rol", "proy_rol", "may_grant"), list(readme_rows()))
def test_may_grant_column(rol_global, ws_rol, proy_rol, may_grant):
    proyecto = ProyectoFactory()
    user = UserFactory(rol_global=rol_global)
    if rol := _role(ws_rol, "workspace"):
        WorkspaceMemberFactory(workspace=proyecto.workspace, user=user, rol=rol)
    if rol := _role(proy_rol, "proyecto"):
        ProyectoMemberFactory(proyecto=proyecto, user=user, rol=rol)
    access = access_for(user)
    got = {
        "global": set(access.grantable_global_roles()),
        "workspace": set(access.grantable_workspace_roles(proyecto.workspace_id)),
        "proyecto": set(access.grantable_proyecto_roles(proyecto.workspace_id, proyecto.pk)),
    }
    assert got == _expected(may_grant)


def test_the_readme_matrix_has_every_row_of_the_role_table():
    assert len(list(readme_rows())) == 14


@pytest.fixture
def workspace():
    return workspaces_services.create_workspace(
        nombre="Andes", slug="andes", owner=UserFactory(email="duena@example.com")
    )


def _member(workspace, rol):
    return workspaces_services.add_workspace_member(
        workspace=workspace, member=UserFactory(), rol=rol
    )


def test_a_workspace_admin_cannot_make_itself_owner(workspace):
    admin = _member(workspace, "admin")
    with pytest.raises(ValidationError, match="superior al suyo"):
        workspaces_services.change_workspace_member_rol(
            membership=admin, rol="owner", user=admin.user
        )
    admin.refresh_from_db()
    assert admin.rol == "admin"


def test_a_workspace_admin_cannot_remove_or_demote_an_owner(workspace):
    admin = _member(workspace, "admin")
    co_owner = _member(workspace, "owner")
    with pytest.raises(ValidationError, match="superior al suyo"):
        workspaces_services.change_workspace_member_rol(
            membership=co_owner, rol="viewer", user=admin.user
        )
    with pytest.raises(ValidationError, match="superior al suyo"):
        workspaces_services.remove_workspace_member(membership=co_owner, user=admin.user)
    assert WorkspaceMember.objects.get(pk=co_owner.pk).rol == "owner"


def test_a_workspace_admin_grants_up_to_admin(workspace):
    admin = _member(workspace, "admin")
    newcomer = UserFactory()
    granted = workspaces_services.add_workspace_member(
        workspace=workspace, member=newcomer, rol="admin", user=admin.user
    )
    assert granted.rol == "admin"


def test_a_member_grants_nothing(workspace):
    member = _member(workspace, "member")
    with pytest.raises(ValidationError, match="No tiene permiso"):
        workspaces_services.add_workspace_member(
            workspace=workspace, member=UserFactory(), rol="viewer", user=member.user
        )


def test_only_the_owner_or_the_platform_transfers_ownership(workspace):
    admin = _member(workspace, "admin")
    co_owner = _member(workspace, "owner")
    for outsider in (admin.user, co_owner.user):
        with pytest.raises(ValidationError, match="Solo el propietario"):
            workspaces_services.transfer_ownership(
                workspace=workspace, new_owner=admin.user, user=outsider
            )
    workspaces_services.transfer_ownership(
        workspace=workspace, new_owner=admin.user, user=workspace.owner
    )
    workspace.refresh_from_db()
    assert workspace.owner == admin.user
    assert WorkspaceMember.objects.get(workspace=workspace, user=admin.user).rol == "owner"


def test_ownership_goes_only_to_a_member(workspace):
    stranger = UserFactory()
    with pytest.raises(ValidationError, match="debe ser miembro"):
        workspaces_services.transfer_ownership(
            workspace=workspace, new_owner=stranger, user=UserFactory(rol_global="admin")
        )


def test_a_gerente_grants_up_to_gerente_and_not_above_in_another_project(workspace):
    proyecto = proyectos_services.create_proyecto(workspace=workspace, nombre="Obra")
    gerente = _member(workspace, "viewer").user
    proyectos_services.add_proyecto_member(proyecto=proyecto, member=gerente, rol="gerente")
    colleague = _member(workspace, "viewer").user
    granted = proyectos_services.add_proyecto_member(
        proyecto=proyecto, member=colleague, rol="gerente", user=gerente
    )
    assert granted.rol == "gerente"
    other = proyectos_services.create_proyecto(workspace=workspace, nombre="Otra obra")
    with pytest.raises(ValidationError, match="No tiene permiso"):
        proyectos_services.add_proyecto_member(
            proyecto=other, member=colleague, rol="viewer", user=gerente
        )


def test_an_ingeniero_cannot_raise_itself(workspace):
    proyecto = proyectos_services.create_proyecto(workspace=workspace, nombre="Obra")
    ingeniero = _member(workspace, "viewer").user
    membership = proyectos_services.add_proyecto_member(
        proyecto=proyecto, member=ingeniero, rol="ingeniero"
    )
    with pytest.raises(ValidationError, match="No tiene permiso"):
        proyectos_services.change_proyecto_member_rol(
            membership=membership, rol="gerente", user=ingeniero
        )


def test_a_platform_admin_cannot_make_a_platform_owner_nor_touch_one():
    admin = UserFactory(rol_global=RolGlobal.ADMIN)
    owner = UserFactory(rol_global=RolGlobal.OWNER)
    someone = UserFactory()
    with pytest.raises(ValidationError, match="superior al suyo"):
        accounts_services.update_user(target=someone, rol_global="owner", user=admin)
    with pytest.raises(ValidationError, match="superior al suyo"):
        accounts_services.update_user(target=owner, nombre="Otra", user=admin)
    with pytest.raises(ValidationError, match="superior al suyo"):
        accounts_services.delete_user(target=owner, user=admin)
    accounts_services.update_user(target=someone, rol_global="admin", user=admin)
    someone.refresh_from_db()
    assert someone.rol_global == "admin"


def test_the_last_platform_owner_stays():
    owner = UserFactory(rol_global=RolGlobal.OWNER)
    with pytest.raises(ValidationError, match="al menos un propietario"):
        accounts_services.update_user(target=owner, rol_global="member", user=owner)
    with pytest.raises(ValidationError, match="al menos un propietario"):
        accounts_services.delete_user(target=owner, user=owner)


def test_only_platform_admins_manage_accounts():
    member = UserFactory()
    with pytest.raises(ValidationError, match="Solo los propietarios y administradores"):
        accounts_services.create_user(email="x@example.com", nombre="X", user=member)
