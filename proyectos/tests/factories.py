"""Factories for proyectos' models."""

import factory

from accounts.tests.factories import UserFactory
from proyectos.models import Proyecto, ProyectoMember
from workspaces.tests.factories import WorkspaceFactory


class ProyectoFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Proyecto

    nombre = factory.Sequence(lambda n: f"Proyecto {n}")
    workspace = factory.SubFactory(WorkspaceFactory)


class ProyectoMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProyectoMember

    proyecto = factory.SubFactory(ProyectoFactory)
    user = factory.SubFactory(UserFactory)
