"""Factories for accounts' models."""

import factory

from accounts.models import RolGlobal, User


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"usuario{n}@example.com")
    nombre = factory.Faker("name", locale="es_ES")
    rol_global = RolGlobal.MEMBER
    password = factory.django.Password("secreto-123")


class AdminUserFactory(UserFactory):
    rol_global = RolGlobal.ADMIN
