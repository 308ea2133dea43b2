"""Factories for documentos' models."""

import factory

from accounts.tests.factories import UserFactory
from documentos.models import Documento, DocumentoVersion, Folder
from proyectos.tests.factories import ProyectoFactory


class FolderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Folder

    nombre = factory.Sequence(lambda n: f"Carpeta {n}")
    parent = None
    # A sub-folder belongs to its parent's project (the database insists).
    proyecto = factory.Maybe(
        "parent", factory.SelfAttribute("parent.proyecto"), factory.SubFactory(ProyectoFactory)
    )
    path = factory.LazyAttribute(lambda o: f"{o.parent.path if o.parent else ''}/{o.nombre}")


class DocumentoFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Documento

    nombre = factory.Sequence(lambda n: f"plano-{n}.pdf")
    folder = None
    proyecto = factory.Maybe(
        "folder", factory.SelfAttribute("folder.proyecto"), factory.SubFactory(ProyectoFactory)
    )
    formato = "pdf"
    size_bytes = 1024
    created_by = factory.SubFactory(UserFactory)


class DocumentoVersionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DocumentoVersion

    documento = factory.SubFactory(DocumentoFactory)
    version = factory.Sequence(lambda n: n + 1)
    size_bytes = 1024
    created_by = factory.SubFactory(UserFactory)
