"""Project teams: only workspace members join, roles change and members leave, audited."""

import pytest
from django.core.exceptions import ValidationError

from accounts.tests.factories import UserFactory
from auditoria.models import Actividad
from core.testing import validation_errors
from proyectos import services
from proyectos.models import ProyectoMember
from proyectos.tests.factories import ProyectoFactory, ProyectoMemberFactory
from workspaces.tests.factories import WorkspaceMemberFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def proyecto():
    return ProyectoFactory()


@pytest.fixture
def gerente(proyecto):
    user = WorkspaceMemberFactory(workspace=proyecto.workspace, rol="viewer").user
    ProyectoMemberFactory(proyecto=proyecto, user=user, rol="gerente")
    return user


def test_validation_explains_that_a_project_member_must_be_a_workspace_member(proyecto):
    outsider = ProyectoMember(proyecto=proyecto, user=UserFactory())
    assert validation_errors(outsider)["user"] == [
        "Debe ser miembro del workspace del proyecto antes de unirse a él."
    ]


def test_changing_a_members_role_is_recorded_as_sharing_with_before_and_after(proyecto, gerente):
    member = UserFactory()
    WorkspaceMemberFactory(workspace=proyecto.workspace, user=member)
    membership = services.add_proyecto_member(proyecto=proyecto, member=member, user=gerente)
    services.change_proyecto_member_rol(membership=membership, rol="ingeniero", user=gerente)
    services.change_proyecto_member_rol(membership=membership, rol="ingeniero", user=gerente)
    rows = list(Actividad.objects.filter(entidad_id=member.pk).order_by("created_at", "id"))
    assert [(a.tipo, a.user, a.proyecto) for a in rows] == [
        ("compartir", gerente, proyecto),
        ("compartir", gerente, proyecto),
    ], "an unchanged role writes nothing"
    assert rows[0].metadata == {
        "evento": "proyecto_member.added", "nombre": proyecto.nombre, "email": member.email,
        "rol": "viewer",
    }  # fmt: skip
    assert rows[1].metadata == {
        "evento": "proyecto_member.role_changed", "nombre": proyecto.nombre,
        "email": member.email, "rol": "ingeniero",
        "cambios": {"rol": {"antes": "viewer", "despues": "ingeniero"}},
    }  # fmt: skip
    assert ProyectoMember.objects.get(user=member).rol == "ingeniero"


def test_removing_a_member_keeps_them_in_the_workspace(proyecto, gerente):
    membership = ProyectoMemberFactory(proyecto=proyecto, rol="tecnico")
    services.remove_proyecto_member(membership=membership, user=gerente)
    assert not ProyectoMember.objects.filter(pk=membership.pk).exists()
    assert proyecto.workspace.members.filter(user=membership.user).exists()
    audit = Actividad.objects.get()
    assert (audit.tipo, audit.entidad_id, audit.descripcion) == (
        "compartir",
        membership.user_id,
        f"Quitó a {membership.user.email} del proyecto «{proyecto.nombre}»",
    )


def test_an_outsider_cannot_join_through_the_service(proyecto):
    with pytest.raises(ValidationError, match="Debe ser miembro del workspace"):
        services.add_proyecto_member(proyecto=proyecto, member=UserFactory())
    assert not Actividad.objects.exists()
