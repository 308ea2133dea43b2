"""Factories for auditoria's models."""

import factory

from accounts.tests.factories import UserFactory
from auditoria.models import Actividad


class ActividadFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Actividad

    user = factory.SubFactory(UserFactory)
    tipo = "crear"
    entidad_tipo = "proyecto"
    descripcion = factory.Sequence(lambda n: f"Actividad {n}")
