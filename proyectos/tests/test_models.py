"""The proyectos tables' rules: valid enums, budget and dates, one membership per pair."""

import datetime
from decimal import Decimal

import pytest

from core.testing import (
    assert_database_refuses_insert,
    assert_database_refuses_update,
    validation_errors,
)
from proyectos.models import ProyectoMember
from proyectos.tests.factories import ProyectoFactory, ProyectoMemberFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("field", "value"), [("tipo", "espacial"), ("estado", "olvidado")])
def test_unknown_enum_value_is_refused_by_the_database(field, value):
    assert_database_refuses_update(ProyectoFactory(), **{field: value})


@pytest.mark.parametrize(("field", "value"), [("tipo", "espacial"), ("estado", "olvidado")])
def test_unknown_enum_value_is_explained_by_validation(field, value):
    assert field in validation_errors(ProyectoFactory(), **{field: value})


def test_negative_budget_is_refused_by_the_database():
    assert_database_refuses_update(ProyectoFactory(), presupuesto=Decimal("-1"))


def test_negative_budget_is_explained_by_validation():
    errors = validation_errors(ProyectoFactory(), presupuesto=Decimal("-0.01"))
    assert errors["__all__"] == ["El presupuesto no puede ser negativo."]


def test_project_without_budget_or_dates_is_valid():
    proyecto = ProyectoFactory(presupuesto=None, fecha_inicio=None, fecha_fin=None)
    proyecto.full_clean()


def test_end_before_start_is_refused_by_the_database():
    proyecto = ProyectoFactory(fecha_inicio=datetime.date(2026, 5, 1))
    assert_database_refuses_update(proyecto, fecha_fin=datetime.date(2026, 4, 30))


def test_end_before_start_is_explained_by_validation():
    proyecto = ProyectoFactory(fecha_inicio=datetime.date(2026, 5, 1))
    errors = validation_errors(proyecto, fecha_fin=datetime.date(2026, 4, 30))
    assert errors["__all__"] == ["La fecha de fin no puede ser anterior a la fecha de inicio."]


def test_second_membership_of_the_same_user_is_refused_by_the_database():
    member = ProyectoMemberFactory()
    assert_database_refuses_insert(ProyectoMember, proyecto=member.proyecto, user=member.user)


def test_second_membership_of_the_same_user_is_explained_by_validation():
    member = ProyectoMemberFactory()
    errors = validation_errors(ProyectoMember(proyecto=member.proyecto, user=member.user))
    assert errors["__all__"] == ["Este usuario ya es miembro del proyecto."]


def test_unknown_member_rol_is_refused_by_the_database():
    assert_database_refuses_update(ProyectoMemberFactory(), rol="arquitecto")


def test_unknown_member_rol_is_explained_by_validation():
    assert "rol" in validation_errors(ProyectoMemberFactory(), rol="arquitecto")
