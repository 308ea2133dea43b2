"""The workspaces tables' rules: unique slug, valid plan and role, one membership per pair."""

import pytest

from core.testing import (
    assert_database_refuses_insert,
    assert_database_refuses_update,
    validation_errors,
)
from workspaces.models import Workspace, WorkspaceMember
from workspaces.tests.factories import WorkspaceFactory, WorkspaceMemberFactory

pytestmark = pytest.mark.django_db


def test_duplicate_slug_is_refused_by_the_database():
    workspace = WorkspaceFactory(slug="acme")
    assert_database_refuses_insert(Workspace, nombre="Otra", slug="acme", owner=workspace.owner)


def test_duplicate_slug_is_explained_by_validation():
    workspace = WorkspaceFactory(slug="acme")
    errors = validation_errors(Workspace(nombre="Otra", slug="acme", owner=workspace.owner))
    assert "slug" in errors


def test_unknown_plan_is_refused_by_the_database():
    assert_database_refuses_update(WorkspaceFactory(), plan="platinum")


def test_unknown_plan_is_explained_by_validation():
    assert "plan" in validation_errors(WorkspaceFactory(), plan="platinum")


def test_second_membership_of_the_same_user_is_refused_by_the_database():
    member = WorkspaceMemberFactory()
    assert_database_refuses_insert(WorkspaceMember, workspace=member.workspace, user=member.user)


def test_second_membership_of_the_same_user_is_explained_by_validation():
    member = WorkspaceMemberFactory()
    errors = validation_errors(WorkspaceMember(workspace=member.workspace, user=member.user))
    assert errors["__all__"] == ["Este usuario ya es miembro del workspace."]


def test_unknown_member_rol_is_refused_by_the_database():
    assert_database_refuses_update(WorkspaceMemberFactory(), rol="gerente")


def test_unknown_member_rol_is_explained_by_validation():
    assert "rol" in validation_errors(WorkspaceMemberFactory(), rol="gerente")
