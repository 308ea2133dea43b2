"""Factories for workspaces' models."""

import factory

from accounts.tests.factories import UserFactory
from workspaces.models import Workspace, WorkspaceMember


class WorkspaceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Workspace

    nombre = factory.Sequence(lambda n: f"Constructora {n}")
    slug = factory.Sequence(lambda n: f"constructora-{n}")
    owner = factory.SubFactory(UserFactory)


class WorkspaceMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WorkspaceMember

    workspace = factory.SubFactory(WorkspaceFactory)
    user = factory.SubFactory(UserFactory)
