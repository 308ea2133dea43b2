"""Factories for documentos' models."""

import factory

from accounts.tests.factories import UserFactory
from documentos.models import Documento, DocumentoVersion, Folder
from proyectos.tests.factories import ProyectoFactory


class FolderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Folder

    nombre = factory.Sequence(lambda n: f"Carpeta {n}")
    proyecto = factory.SubFactory(ProyectoFactory)
    parent = None
    path = factory.LazyAttribute(lambda o: f"{o.parent.path if o.parent else ''}/{o.nombre}")


class DocumentoFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Documento

    nombre = factory.Sequence(lambda n: f"plano-{n}.pdf")
    proyecto = factory.SubFactory(ProyectoFactory)
    folder = None
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
