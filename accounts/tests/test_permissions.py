"""The role matrix of the README, cell by cell, against real memberships."""

import pytest

from accounts.tests.factories import UserFactory
from core.permissions import Kind, access_for
from proyectos.tests.factories import ProyectoFactory, ProyectoMemberFactory
from workspaces.tests.factories import WorkspaceMemberFactory

pytestmark = pytest.mark.django_db

KINDS = [
    Kind.WORKSPACE,
    Kind.WORKSPACE_MEMBER,
    Kind.PROYECTO,
    Kind.PROYECTO_MEMBER,
    Kind.FOLDER,
    Kind.DOCUMENTO,
    Kind.DOCUMENTO_VERSION,
    Kind.ACTIVIDAD,
]

# The README's matrix: v view, a add, c change, d delete, - nothing. Columns follow KINDS.
# Rows: (rol_global, workspace rol or None, proyecto rol or None).
MATRIX = """
owner   -         -          vacd vacd vacd vacd vacd vacd vacd vacd
admin   -         -          vacd vacd vacd vacd vacd vacd vacd vacd
member  owner     -          vcd  vacd vacd vacd vacd vacd vacd v
member  admin     -          vc   vacd vacd vacd vacd vacd vacd v
member  member    -          v    v    vac  v    vac  vac  vac  v
member  viewer    -          v    v    v    v    v    v    v    v
member  viewer    gerente    v    v    vcd  vacd vacd vacd vacd v
member  viewer    ingeniero  v    v    v    v    vacd vacd vacd v
member  viewer    tecnico    v    v    v    v    v    va   va   v
member  viewer    viewer     v    v    v    v    v    v    v    v
member  -         -          -    -    -    -    -    -    -    -
viewer  owner     -          v    v    v    v    v    v    v    v
viewer  viewer    gerente    v    v    v    v    v    v    v    v
guest   member    ingeniero  -    -    v    v    v    v    v    v
guest   member    -          -    -    -    -    -    -    -    -
"""


def _rows():
    for line in MATRIX.strip().splitlines():
        rol_global, ws_rol, proy_rol, *cells = line.split()
        yield pytest.param(
            rol_global,
            None if ws_rol == "-" else ws_rol,
            None if proy_rol == "-" else proy_rol,
            cells,
            id=f"{rol_global}-{ws_rol}-{proy_rol}",
        )


def _letters(actions):
    return "".join(a for a in "vacd" if any(action.value[0] == a for action in actions)) or "-"


@pytest.mark.parametrize(("rol_global", "ws_rol", "proy_rol", "cells"), list(_rows()))
def test_role_matrix(rol_global, ws_rol, proy_rol, cells):
    proyecto = ProyectoFactory()
    user = UserFactory(rol_global=rol_global)
    if ws_rol:
        WorkspaceMemberFactory(workspace=proyecto.workspace, user=user, rol=ws_rol)
    if proy_rol:
        ProyectoMemberFactory(proyecto=proyecto, user=user, rol=proy_rol)
    access = access_for(user)
    scope = {"workspace_id": proyecto.workspace_id, "proyecto_id": proyecto.pk}
    got = [
        _letters(access.allowed(kind, workspace_id=proyecto.workspace_id))
        if kind in (Kind.WORKSPACE, Kind.WORKSPACE_MEMBER)
        else _letters(access.allowed(kind, **scope))
        for kind in KINDS
    ]
    assert got == cells


@pytest.mark.parametrize("ws_rol", ["owner", "admin", "member", "viewer"])
def test_a_workspace_role_gives_nothing_in_another_workspace(ws_rol):
    mine, other = ProyectoFactory(), ProyectoFactory()
    user = UserFactory()
    WorkspaceMemberFactory(workspace=mine.workspace, user=user, rol=ws_rol)
    access = access_for(user)
    for kind in KINDS:
        assert not access.allowed(kind, workspace_id=other.workspace_id, proyecto_id=other.pk)


def test_a_project_role_gives_nothing_in_a_sibling_project():
    mine = ProyectoFactory()
    sibling = ProyectoFactory(workspace=mine.workspace)
    user = UserFactory(rol_global="guest")
    WorkspaceMemberFactory(workspace=mine.workspace, user=user, rol="member")
    ProyectoMemberFactory(proyecto=mine, user=user, rol="gerente")
    access = access_for(user)
    for kind in KINDS:
        assert not access.allowed(kind, workspace_id=mine.workspace_id, proyecto_id=sibling.pk)


def test_memberships_are_loaded_once_per_user(django_assert_num_queries):
    proyecto = ProyectoFactory()
    user = UserFactory()
    WorkspaceMemberFactory(workspace=proyecto.workspace, user=user, rol="member")
    with django_assert_num_queries(2):
        access_for(user)
        for kind in KINDS:
            access_for(user).allowed(kind, workspace_id=proyecto.workspace_id)
