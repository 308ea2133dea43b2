"""Factories for proyectos' models."""

import factory

from accounts.tests.factories import UserFactory
from proyectos.models import Proyecto, ProyectoMember
from workspaces.models import WorkspaceMember
from workspaces.tests.factories import WorkspaceFactory


class ProyectoFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Proyecto

    nombre = factory.Sequence(lambda n: f"Proyecto {n}")
    workspace = factory.SubFactory(WorkspaceFactory)


class ProyectoMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProyectoMember
        skip_postgeneration_save = True

    proyecto = factory.SubFactory(ProyectoFactory)
    user = factory.SubFactory(UserFactory)

    @factory.post_generation
    def workspace_membership(self, create, extracted, **kwargs):
        """A project member is a member of its workspace (pass False to skip, for rule tests)."""
        if create and extracted is not False:
            WorkspaceMember.objects.get_or_create(
                workspace_id=self.proyecto.workspace_id, user_id=self.user_id
            )
