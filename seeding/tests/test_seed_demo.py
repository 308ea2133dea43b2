"""`seed_demo`: the guide's demo data, idempotent, and never on production by accident."""

import json

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from accounts.models import User
from auditoria.models import Actividad
from core.testing import admin_login
from documentos.models import Folder
from proyectos.models import Proyecto, ProyectoMember
from workspaces.models import Workspace, WorkspaceMember

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _development_configuration(settings):
    # The test runner turns DEBUG off; seed_demo is a development tool.
    settings.DEBUG = True


DEMO_TABLES = (User, Workspace, WorkspaceMember, Proyecto, ProyectoMember, Folder, Actividad)


def _snapshot():
    """Every row of the demo tables, as the database holds them."""
    return {
        model._meta.db_table: sorted(map(str, model.objects.values_list())) for model in DEMO_TABLES
    }


def test_seed_demo_creates_the_guide_demo_data(client):
    call_command("seed_demo", verbosity=0)
    assert User.objects.count() == 2
    assert Workspace.objects.count() == 1
    assert Proyecto.objects.count() == 2
    assert Folder.objects.count() == 3
    # Written through the services, so the audit trail tells how the demo was built.
    created = Actividad.objects.filter(tipo="crear").values_list("metadata__evento", flat=True)
    assert sorted(created) == sorted(
        ["usuario.created"] * 2
        + ["workspace.created"]
        + ["proyecto.created"] * 2
        + ["folder.created"] * 3
    )
    assert admin_login(client, "admin@piliquarts.com", "admin123")
    assert admin_login(client, "test@piliquarts.com", "test123")
    admin = User.objects.get(email="admin@piliquarts.com")
    assert admin.is_superuser
    assert not User.objects.get(email="test@piliquarts.com").is_superuser


def test_demo_passwords_are_hashed():
    call_command("seed_demo", verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute("SELECT password_hash FROM users")
        hashes = [row[0] for row in cursor.fetchall()]
    assert all(h and "admin123" not in h and "test123" not in h for h in hashes)


def test_every_project_member_belongs_to_the_project_workspace():
    call_command("seed_demo", verbosity=0)
    for member in ProyectoMember.objects.select_related("proyecto"):
        assert WorkspaceMember.objects.filter(
            workspace_id=member.proyecto.workspace_id, user_id=member.user_id
        ).exists()


def test_running_seed_demo_twice_leaves_the_same_rows():
    call_command("seed_demo", verbosity=0)
    first = _snapshot()
    call_command("seed_demo", verbosity=0)
    assert _snapshot() == first


def test_seed_demo_keeps_a_changed_password(client):
    call_command("seed_demo", verbosity=0)
    admin = User.objects.get(email="admin@piliquarts.com")
    admin.set_password("una-clave-nueva-larga")
    admin.save()
    call_command("seed_demo", verbosity=0)
    assert admin_login(client, "admin@piliquarts.com", "una-clave-nueva-larga")


def test_seed_demo_resets_passwords_only_when_asked(client):
    call_command("seed_demo", verbosity=0)
    admin = User.objects.get(email="admin@piliquarts.com")
    admin.set_password("una-clave-nueva-larga")
    admin.save()
    call_command("seed_demo", "--reset-passwords", verbosity=0)
    assert admin_login(client, "admin@piliquarts.com", "admin123")


def test_seed_demo_refuses_on_a_production_configuration(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG is off"):
        call_command("seed_demo", verbosity=0)
    assert not User.objects.exists()


def test_seed_demo_on_production_runs_with_the_explicit_flag(settings):
    settings.DEBUG = False
    call_command("seed_demo", "--allow-demo-passwords", verbosity=0)
    assert User.objects.count() == 2


def test_invalid_fixture_is_refused_and_writes_nothing(tmp_path):
    fixture = tmp_path / "bad.json"
    fixture.write_text(
        json.dumps(
            {
                "users": [{"email": "ok@example.com", "nombre": "Ok", "password": "x"}],
                "workspaces": [
                    {"slug": "ws", "nombre": "WS", "owner": "nadie@example.com", "members": []}
                ],
            }
        )
    )
    with pytest.raises(CommandError, match=r"nadie@example\.com"):
        call_command("seed_demo", str(fixture), verbosity=0)
    assert not User.objects.exists()


def test_invalid_enum_in_fixture_is_refused_and_writes_nothing(tmp_path):
    fixture = tmp_path / "bad.json"
    fixture.write_text(
        json.dumps(
            {
                "users": [
                    {"email": "a@example.com", "nombre": "A", "password": "x", "rol_global": "rey"}
                ]
            }
        )
    )
    with pytest.raises(CommandError, match="rol_global"):
        call_command("seed_demo", str(fixture), verbosity=0)
    assert not User.objects.exists()
