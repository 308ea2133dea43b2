"""No stored file is orphaned: what deletes versions deletes their files; the check finds others."""

import os
import time

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.core.management import CommandError, call_command
from django.urls import reverse

from accounts import services as accounts_services
from accounts.tests.factories import AdminUserFactory, UserFactory
from documentos import services
from proyectos import services as proyectos_services
from workspaces import services as workspaces_services

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    owner = UserFactory()
    workspace = workspaces_services.create_workspace(nombre="Andes", slug="andes", owner=owner)
    proyecto = proyectos_services.create_proyecto(workspace=workspace, nombre="Obra")
    otra = proyectos_services.create_proyecto(workspace=workspace, nombre="Otra")
    documento = services.upload_documento(
        proyecto=proyecto, nombre="a.pdf", file=ContentFile(b"uno", name="a.pdf")
    )
    services.add_version(documento=documento, file=ContentFile(b"dos", name="a.pdf"), cambios="2")
    kept = services.upload_documento(
        proyecto=otra, nombre="b.pdf", file=ContentFile(b"tres", name="b.pdf")
    )
    return {
        "workspace": workspace, "proyecto": proyecto, "kept": kept,
        "files": list(documento.versions.values_list("storage_path", flat=True)),
    }  # fmt: skip


def _exists(paths):
    return [storages["default"].exists(path) for path in paths]


def test_deleting_a_project_in_the_admin_deletes_its_files_once_committed(
    client, world, django_capture_on_commit_callbacks
):
    client.force_login(AdminUserFactory())
    url = reverse("admin:proyectos_proyecto_delete", args=[world["proyecto"].pk])
    with django_capture_on_commit_callbacks(execute=False) as pending:
        assert client.post(url, {"post": "yes"}).status_code == 302
    assert _exists(world["files"]) == [True, True], "kept until the transaction commits"
    for callback in pending:
        callback()
    assert _exists(world["files"]) == [False, False]
    assert storages["default"].exists(world["kept"].storage_path), "another project's file stays"
    call_command("check_integrity", verbosity=0)


def test_deleting_a_workspace_deletes_every_file_of_its_projects(
    world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        counts = workspaces_services.delete_workspace(workspace=world["workspace"])
    assert counts["versiones"] == 3
    assert _exists([*world["files"], world["kept"].storage_path]) == [False, False, False]


def test_deleting_a_user_keeps_the_files_of_what_they_made(
    world, django_capture_on_commit_callbacks
):
    author = UserFactory()
    documento = services.upload_documento(
        proyecto=world["proyecto"], nombre="c.pdf", file=ContentFile(b"c", name="c.pdf"),
        user=author,
    )  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        accounts_services.delete_user(target=author)
    assert _exists([documento.storage_path]) == [True]


def _age(path, minutes):
    moment = time.time() - minutes * 60
    os.utime(storages["default"].path(path), (moment, moment))


def test_the_check_finds_files_no_version_references_and_deletes_them_on_request(world):
    orphan = storages["default"].save("documentos/x/y/v1-huerfano.pdf", ContentFile(b"?"))
    fresh = storages["default"].save("documentos/x/y/v1-en-curso.pdf", ContentFile(b"?"))
    _age(orphan, 120)
    with pytest.raises(CommandError, match="1 stored files belong to no version"):
        call_command("check_integrity", verbosity=0)
    with pytest.raises(CommandError, match="belong to no version"):
        call_command("check_integrity", "--delete-orphans", verbosity=0)  # a dry run
    assert storages["default"].exists(orphan)
    call_command("check_integrity", "--delete-orphans", "--yes", verbosity=0)
    assert not storages["default"].exists(orphan)
    assert storages["default"].exists(fresh), "a file younger than the grace may be an upload"
    assert _exists(world["files"]) == [True, True]
    call_command("check_integrity", verbosity=0)


def test_the_grace_can_be_shortened(world):
    orphan = storages["default"].save("documentos/x/v1-huerfano.pdf", ContentFile(b"?"))
    _age(orphan, 2)
    call_command("check_integrity", "--grace-minutes", "5", verbosity=0)
    call_command("check_integrity", "--delete-orphans", "--yes", "--grace-minutes", "1")
    assert not storages["default"].exists(orphan)
