"""Deleting a user: never an owner (the error says why), and nothing they made is lost."""

import pytest
from django.core.exceptions import ValidationError

from accounts.models import User
from accounts.services import delete_user
from accounts.tests.factories import AdminUserFactory, UserFactory
from auditoria.models import Actividad
from documentos.tests.factories import DocumentoFactory
from workspaces.tests.factories import WorkspaceFactory

pytestmark = pytest.mark.django_db


def test_an_owner_cannot_be_deleted_and_is_told_why():
    workspace = WorkspaceFactory(nombre="Constructora Andes")
    with pytest.raises(ValidationError, match="Constructora Andes"):
        delete_user(target=workspace.owner)
    assert User.objects.filter(pk=workspace.owner.pk).exists()


def test_deleting_a_user_keeps_their_documents_and_records_it():
    author = UserFactory(email="autor@example.com")
    documento = DocumentoFactory(created_by=author)
    admin = AdminUserFactory()
    author_id = author.pk
    delete_user(target=author, user=admin)
    documento.refresh_from_db()
    assert documento.created_by is None
    audit = Actividad.objects.get(tipo="eliminar")
    assert (audit.entidad_id, audit.metadata["email"], audit.user) == (
        author_id, "autor@example.com", admin,
    )  # fmt: skip
    assert "password" not in audit.metadata
