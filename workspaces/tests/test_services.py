"""Teams: a workspace keeps an owner, members come and go with audit rows."""

import pytest
from django.core.exceptions import ValidationError

from accounts.tests.factories import UserFactory
from auditoria.models import Actividad
from proyectos import services as proyectos_services
from proyectos.models import ProyectoMember
from proyectos.tests.factories import ProyectoFactory
from workspaces import services
from workspaces.models import WorkspaceMember

pytestmark = pytest.mark.django_db


@pytest.fixture
def workspace():
    return services.create_workspace(nombre="Andes", slug="andes", owner=UserFactory())


def test_the_owner_is_an_owner_member_from_the_start(workspace):
    membership = WorkspaceMember.objects.get(workspace=workspace, user=workspace.owner)
    assert membership.rol == "owner"
    audit = Actividad.objects.get(entidad_id=workspace.pk)
    assert (audit.tipo, audit.entidad_tipo, audit.workspace) == ("crear", "workspace", workspace)


def test_adding_a_member_is_recorded_as_sharing(workspace):
    ana = UserFactory(email="ana@example.com")
    services.add_workspace_member(
        workspace=workspace, member=ana, rol="admin", user=workspace.owner
    )
    audit = Actividad.objects.get(tipo="compartir")
    assert (audit.entidad_id, audit.metadata, audit.user) == (
        ana.pk,
        {
            "evento": "workspace_member.added",
            "nombre": "Andes",
            "email": "ana@example.com",
            "rol": "admin",
        },
        workspace.owner,
    )
    assert audit.descripcion == "Añadió a ana@example.com al workspace «Andes» como Administrador"


def test_the_owner_cannot_be_demoted_or_removed(workspace):
    membership = WorkspaceMember.objects.get(workspace=workspace, user=workspace.owner)
    with pytest.raises(ValidationError, match="conserva el rol de propietario"):
        services.change_workspace_member_rol(membership=membership, rol="member")
    with pytest.raises(ValidationError, match="propiedad"):
        services.remove_workspace_member(membership=membership)
    second = services.add_workspace_member(workspace=workspace, member=UserFactory(), rol="owner")
    services.remove_workspace_member(membership=second)
    assert WorkspaceMember.objects.filter(workspace=workspace, rol="owner").count() == 1


def test_transferring_ownership_then_the_old_owner_may_leave(workspace):
    old_owner = workspace.owner
    heir = UserFactory()
    services.add_workspace_member(workspace=workspace, member=heir)
    services.transfer_ownership(workspace=workspace, new_owner=heir)
    workspace.refresh_from_db()
    assert workspace.owner == heir
    services.remove_workspace_member(
        membership=WorkspaceMember.objects.get(workspace=workspace, user=old_owner)
    )
    assert not WorkspaceMember.objects.filter(workspace=workspace, user=old_owner).exists()


def test_leaving_a_workspace_leaves_its_projects(workspace):
    member = UserFactory()
    membership = services.add_workspace_member(workspace=workspace, member=member)
    proyecto = ProyectoFactory(workspace=workspace)
    proyectos_services.add_proyecto_member(proyecto=proyecto, member=member, rol="ingeniero")
    services.remove_workspace_member(membership=membership)
    assert not ProyectoMember.objects.filter(user=member).exists()
    assert (
        Actividad.objects.filter(descripcion__startswith="Quitó")
        .get()
        .metadata["proyectos_quitados"]
        == 1
    )


def test_a_project_member_must_belong_to_the_workspace(workspace):
    proyecto = ProyectoFactory(workspace=workspace)
    with pytest.raises(ValidationError, match="Debe ser miembro del workspace"):
        proyectos_services.add_proyecto_member(proyecto=proyecto, member=UserFactory())
    assert not ProyectoMember.objects.exists()
