"""The error pages speak Spanish, in the admin's look, and say what to do next."""

from datetime import timedelta

import pytest
from django.test import RequestFactory
from django.urls import reverse
from django.views import defaults

from accounts.tests.factories import UserFactory
from piliquarts.tests.english import english_on
from proyectos.tests.factories import ProyectoFactory

pytestmark = pytest.mark.django_db

ADMIN_CSS = "/static/admin/css/base.css"


def _assert_styled_spanish_page(response, status, heading):
    html = response.content.decode()
    assert response.status_code == status
    assert ADMIN_CSS in html, "the page has the admin's look"
    assert heading in html
    assert 'lang="es"' in html
    assert english_on(html) == []
    return html


def test_a_missing_page_is_a_spanish_404(client, settings):
    settings.DEBUG = False
    client.force_login(UserFactory())
    response = client.get("/no-existe/")
    _assert_styled_spanish_page(response, 404, "Página no encontrada (404)")


def test_a_missing_admin_object_is_a_spanish_404(client, settings):
    settings.DEBUG = False
    client.force_login(UserFactory(rol_global="owner"))
    response = client.get("/admin/proyectos/proyecto/nada/change/", follow=True)
    # The admin redirects to its index with a message for a missing object of a known model.
    assert response.status_code == 200
    assert "no existe" in response.content.decode()
    response = client.get("/admin/no-existe/otra-cosa/")
    _assert_styled_spanish_page(response, 404, "Página no encontrada (404)")


def test_a_forbidden_page_is_a_spanish_403_that_says_whom_to_ask(client, settings):
    settings.DEBUG = False
    proyecto = ProyectoFactory()
    client.force_login(UserFactory())  # a member of nothing
    response = client.get(reverse("admin:proyectos_proyecto_add"))
    html = _assert_styled_spanish_page(response, 403, "No tiene permiso para ver esta página")
    assert "administrador de su workspace" in html
    assert proyecto.nombre not in html


def test_an_expired_form_is_a_spanish_403(settings):
    from django.views.csrf import csrf_failure

    request = RequestFactory().post("/admin/login/")
    response = csrf_failure(request, reason="CSRF token missing.")
    html = response.content.decode()
    assert response.status_code == 403
    assert "El formulario ha caducado" in html
    assert english_on(html) == []


def test_a_server_error_is_a_spanish_500_without_any_context():
    # Django renders it with no request and no context processors.
    response = defaults.server_error(RequestFactory().get("/"))
    html = response.content.decode()
    assert response.status_code == 500
    assert ADMIN_CSS in html
    assert "Algo ha fallado en el servidor (500)" in html
    assert english_on(html) == []


def test_a_bad_request_is_a_spanish_400():
    response = defaults.bad_request(RequestFactory().get("/"), exception=None)
    assert response.status_code == 400
    assert "Solicitud incorrecta (400)" in response.content.decode()


def test_a_locked_out_login_is_a_spanish_429_that_says_when_to_retry(client, settings):
    settings.AXES_COOLOFF_TIME = timedelta(minutes=15)
    UserFactory(email="ana@example.com", password="la-buena-clave")
    url = reverse("admin:login")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(url, {"username": "ana@example.com", "password": "mala"})
    response = client.post(url, {"username": "ana@example.com", "password": "la-buena-clave"})
    html = _assert_styled_spanish_page(response, 429, "Acceso bloqueado temporalmente")
    assert "Podrá volver a intentarlo dentro de 15 minutos, a partir de las" in html
    assert "«ana@example.com»" in html
    assert f"{settings.AXES_FAILURE_LIMIT} veces seguidas" in html


def test_the_lockout_page_gives_hours_and_minutes(client, settings):
    settings.AXES_COOLOFF_TIME = timedelta(hours=1, minutes=30)
    settings.AXES_FAILURE_LIMIT = 1
    UserFactory(email="ana@example.com", password="la-buena-clave")
    url = reverse("admin:login")
    client.post(url, {"username": "ana@example.com", "password": "mala"})
    response = client.post(url, {"username": "ana@example.com", "password": "mala"})
    assert response.status_code == 429
    assert "dentro de 1 hora y 30 minutos" in response.content.decode()
