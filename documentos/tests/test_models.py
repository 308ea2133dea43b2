"""The documentos tables' rules: valid enums, sizes and versions, a sane folder tree."""

import pytest

from core.testing import (
    assert_database_refuses_insert,
    assert_database_refuses_update,
    validation_errors,
)
from documentos.models import DocumentoVersion, Folder
from documentos.tests.factories import DocumentoFactory, DocumentoVersionFactory, FolderFactory
from proyectos.tests.factories import ProyectoFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("field", "value"), [("tipo", "receta"), ("formato", "exe")])
def test_unknown_documento_enum_is_refused_by_the_database(field, value):
    assert_database_refuses_update(DocumentoFactory(), **{field: value})


@pytest.mark.parametrize(("field", "value"), [("tipo", "receta"), ("formato", "exe")])
def test_unknown_documento_enum_is_explained_by_validation(field, value):
    assert field in validation_errors(DocumentoFactory(), **{field: value})


@pytest.mark.parametrize("factory", [DocumentoFactory, DocumentoVersionFactory])
def test_negative_size_is_refused_by_the_database(factory):
    assert_database_refuses_update(factory(), size_bytes=-1)


@pytest.mark.parametrize("factory", [DocumentoFactory, DocumentoVersionFactory])
def test_negative_size_is_explained_by_validation(factory):
    errors = validation_errors(factory(), size_bytes=-1)
    assert "El tamaño no puede ser negativo." in errors["__all__"]


@pytest.mark.parametrize("factory", [DocumentoFactory, DocumentoVersionFactory])
def test_version_zero_is_refused_by_the_database(factory):
    assert_database_refuses_update(factory(), version=0)


@pytest.mark.parametrize("factory", [DocumentoFactory, DocumentoVersionFactory])
def test_version_zero_is_explained_by_validation(factory):
    errors = validation_errors(factory(), version=0)
    assert "La versión empieza en 1." in errors["__all__"]


def test_duplicate_version_number_is_refused_by_the_database():
    version = DocumentoVersionFactory(version=3)
    assert_database_refuses_insert(DocumentoVersion, documento=version.documento, version=3)


def test_duplicate_version_number_is_explained_by_validation():
    version = DocumentoVersionFactory(version=3)
    errors = validation_errors(DocumentoVersion(documento=version.documento, version=3))
    assert errors["__all__"] == ["Esta versión del documento ya existe."]


def test_folder_as_its_own_parent_is_refused_by_the_database():
    folder = FolderFactory()
    assert_database_refuses_update(folder, parent=folder.pk)


def test_folder_as_its_own_parent_is_explained_by_validation():
    folder = FolderFactory()
    errors = validation_errors(folder, parent=folder)
    assert "Una carpeta no puede ser su propia carpeta superior." in errors["__all__"]


def test_sibling_folders_with_the_same_name_are_refused_by_the_database():
    parent = FolderFactory()
    FolderFactory(proyecto=parent.proyecto, parent=parent, nombre="Planos")
    assert_database_refuses_insert(
        Folder, proyecto=parent.proyecto, parent=parent, nombre="Planos", path="/x/Planos"
    )


def test_root_folders_with_the_same_name_are_refused_by_the_database():
    folder = FolderFactory(nombre="Planos")
    assert_database_refuses_insert(
        Folder, proyecto=folder.proyecto, parent=None, nombre="Planos", path="/Planos"
    )


def test_root_folders_with_the_same_name_are_explained_by_validation():
    folder = FolderFactory(nombre="Planos")
    errors = validation_errors(Folder(proyecto=folder.proyecto, nombre="Planos", path="/Planos"))
    assert errors["__all__"] == ["Ya existe una carpeta con este nombre en la raíz del proyecto."]


def test_same_root_folder_name_in_another_project_is_allowed():
    FolderFactory(nombre="Planos")
    FolderFactory(nombre="Planos").full_clean()


@pytest.mark.parametrize("nombre", ["", "Planos/Estructura"])
def test_folder_name_with_a_slash_or_empty_is_refused_by_the_database(nombre):
    assert_database_refuses_update(FolderFactory(), nombre=nombre)


def test_folder_name_with_a_slash_is_explained_by_validation():
    errors = validation_errors(FolderFactory(), nombre="a/b")
    assert "El nombre de una carpeta no puede estar vacío ni contener «/»." in errors["__all__"]


def test_document_in_a_folder_of_another_project_is_explained_by_validation():
    folder = FolderFactory()
    errors = validation_errors(DocumentoFactory(), folder=folder)
    assert errors["folder"] == ["La carpeta debe pertenecer al proyecto del documento."]


def test_subfolder_of_a_folder_in_another_project_is_explained_by_validation():
    parent = FolderFactory()
    errors = validation_errors(
        Folder(proyecto=ProyectoFactory(), parent=parent, nombre="x", path="/x")
    )
    assert errors["parent"] == ["La carpeta superior debe pertenecer al mismo proyecto."]
