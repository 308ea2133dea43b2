"""The users table's rules: case-insensitive unique email, valid platform role."""

import pytest

from accounts.models import User
from accounts.tests.factories import UserFactory
from core.testing import (
    admin_login,
    assert_database_refuses_insert,
    assert_database_refuses_update,
    validation_errors,
)

pytestmark = pytest.mark.django_db


def test_email_differing_only_in_case_is_refused_by_the_database():
    UserFactory(email="ana@example.com")
    assert_database_refuses_insert(User, email="ANA@Example.com", nombre="Ana")


def test_email_differing_only_in_case_is_explained_by_validation():
    UserFactory(email="ana@example.com")
    errors = validation_errors(User(email="Ana@EXAMPLE.com", nombre="Ana", password="x"))
    assert errors["__all__"] == ["Ya existe un usuario con este correo electrónico."]


def test_unknown_rol_global_is_refused_by_the_database():
    assert_database_refuses_update(UserFactory(), rol_global="superhero")


def test_unknown_rol_global_is_explained_by_validation():
    assert "rol_global" in validation_errors(UserFactory(), rol_global="superhero")


def test_password_hash_is_stored_in_the_guide_column():
    user = UserFactory(password="s3creto-largo")
    assert User._meta.get_field("password").column == "password_hash"
    assert user.check_password("s3creto-largo")


def test_login_by_email_ignores_letter_case(client):
    UserFactory(email="ana@example.com", password="s3creto-largo")
    assert admin_login(client, "ANA@example.COM", "s3creto-largo")
    assert not admin_login(client, "ana@example.com", "otra")


@pytest.mark.parametrize(
    ("rol", "manages_everything"),
    [("owner", True), ("admin", True), ("member", False), ("viewer", False), ("guest", False)],
)
def test_platform_roles_owner_and_admin_manage_everything(rol, manages_everything):
    user = UserFactory(rol_global=rol)
    assert user.is_staff, "everyone enters the admin; memberships decide what they see"
    assert user.is_superuser is manages_everything
    assert user.has_perm("proyectos.view_proyecto") is manages_everything
