"""Factories for auditoria's models."""

import factory
from django.db import connection

from accounts.tests.factories import UserFactory
from auditoria import partitions
from auditoria.models import Actividad


class ActividadFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Actividad

    user = factory.SubFactory(UserFactory)
    tipo = "crear"
    entidad_tipo = "proyecto"
    descripcion = factory.Sequence(lambda n: f"Actividad {n}")


def create_month_partitions(months):
    """A partition of the trail for each (year, month), on PostgreSQL; its bounds re-read."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for year, month in months:
            cursor.execute("SELECT actividades_create_partition(%s::date)", [f"{year}-{month}-1"])
    partitions.forget_month_bounds()
