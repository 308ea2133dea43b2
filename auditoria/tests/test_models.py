"""The audit table's rules: valid activity and entity types."""

import pytest

from auditoria.tests.factories import ActividadFactory
from core.testing import assert_database_refuses_update, validation_errors

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("field", "value"), [("tipo", "borrar"), ("entidad_tipo", "carpeta")])
def test_unknown_enum_value_is_refused_by_the_database(field, value):
    assert_database_refuses_update(ActividadFactory(), **{field: value})


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("tipo", "borrar", "El tipo de actividad no es válido."),
        ("entidad_tipo", "carpeta", "El tipo de entidad no es válido."),
    ],
)
def test_unknown_enum_value_is_explained_by_validation(field, value, message):
    # Audit fields are not editable, so the constraint's own message explains it.
    assert validation_errors(ActividadFactory(), **{field: value}) == {"__all__": [message]}


def test_feed_order_is_newest_first():
    newer = ActividadFactory()
    # Written older from the start: audit rows cannot be edited afterwards.
    older = ActividadFactory(created_at=newer.created_at.replace(year=2020))
    assert list(type(older).objects.all()) == [newer, older]
