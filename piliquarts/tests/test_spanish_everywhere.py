"""Every page a user can open speaks Spanish: each admin page of each model, the site's own
pages, the dashboard and the error pages, rendered with seeded data as a platform owner.

The pages are found by walking the admin site's registry and URL patterns, so a
model or a custom admin URL added later is covered without touching this file.
"""

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.test import Client
from django.urls import URLPattern, reverse
from django.utils import timezone

from accounts.models import User
from documentos import services as documentos_services
from documentos.models import Documento, Folder
from piliquarts.tests.english import english_messages, english_on, visible_texts
from proyectos.models import Proyecto

pytestmark = pytest.mark.django_db

OWNER = "admin@piliquarts.com"
NOT_HTML = ("application/json", "text/javascript", "application/octet-stream", "application/pdf")


@pytest.fixture
def seeded(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("seed_demo", allow_demo_passwords=True, verbosity=0)
    owner = User.objects.get(email=OWNER)
    proyecto = Proyecto.objects.order_by("nombre").first()
    folder = Folder.objects.filter(proyecto=proyecto).first()
    documento = documentos_services.upload_documento(
        proyecto=proyecto,
        folder=folder,
        nombre="memoria-descriptiva.pdf",
        file=ContentFile(b"%PDF-1.7 memoria", name="memoria-descriptiva.pdf"),
        user=owner,
    )
    documentos_services.add_version(
        documento=documento,
        file=ContentFile(b"%PDF-1.7 memoria v2", name="memoria-descriptiva.pdf"),
        cambios="Corrige la planta baja",
        user=owner,
    )
    now = timezone.now()
    request = {"user_agent": "Mozilla/5.0", "ip_address": "10.0.0.8", "http_accept": "*/*"}
    request |= {"path_info": "/admin/login/"}
    attempt = AccessAttempt.objects.create(
        username="test@piliquarts.com", get_data="", post_data="", failures_since_start=2, **request
    )
    AccessAttempt.objects.filter(pk=attempt.pk).update(attempt_time=now)
    AccessLog.objects.create(username=OWNER, **request)
    AccessFailureLog.objects.create(username="test@piliquarts.com", locked_out=True, **request)
    return owner


def _object_of(model):
    """A real row of `model` for its change, delete and history pages (seeded above)."""
    preferred = {Documento: {"nombre": "memoria-descriptiva.pdf"}, User: {"email": OWNER}}
    obj = model._default_manager.filter(**preferred.get(model, {})).first()
    assert obj is not None, f"no {model.__name__} row to open: seed one in the `seeded` fixture"
    return obj


def admin_pages():
    """(description, url) of every GET page of the admin, from its registry and URL patterns."""
    site = admin.site
    pages = [
        ("index", reverse("admin:index")),
        ("password change", reverse("admin:password_change")),
    ]
    pages.append(("password changed", reverse("admin:password_change_done")))
    for app_label in sorted({model._meta.app_label for model in site._registry}):
        pages.append((f"app {app_label}", reverse("admin:app_list", args=[app_label])))
    for model, model_admin in site._registry.items():
        obj = None
        for pattern in model_admin.get_urls():
            if not isinstance(pattern, URLPattern) or not pattern.name:
                continue
            kwargs = {}
            if pattern.pattern.converters:
                obj = obj or _object_of(model)
                kwargs = dict.fromkeys(pattern.pattern.converters, str(obj.pk))
            pages.append((pattern.name, reverse(f"admin:{pattern.name}", kwargs=kwargs)))
    return pages


def _assert_spanish(response, what):
    found = english_on(response.content.decode())
    assert not found, f"{what}: English on the page: {found}"


@pytest.fixture
def owner_client(seeded):
    client = Client()
    client.force_login(seeded)
    return client


def test_every_admin_page_is_in_spanish(owner_client):
    seen = 0
    for what, url in admin_pages():
        response = owner_client.get(url, follow=True)
        # 403: a page the owner may not open either (adding to the audit trail), in Spanish too.
        denied = what.endswith(("_add", "_change", "_delete")) and "(403)" in response.text
        expected = 403 if denied else 200
        assert response.status_code == expected, f"{what} ({url}): {response.status_code}"
        if response.get("Content-Type", "").startswith(NOT_HTML):
            continue
        _assert_spanish(response, f"{what} ({url})")
        seen += 1
    assert seen > 40


def test_changelists_with_searches_filters_and_actions_are_in_spanish(owner_client):
    for model, model_admin in admin.site._registry.items():
        opts = model._meta
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        _assert_spanish(owner_client.get(url, {"q": "zzz-nada"}), f"{url} searched")
        request = owner_client.get(url).wsgi_request
        actions = model_admin.get_actions(request)
        if "delete_selected" in actions:
            response = owner_client.post(
                url,
                {"action": "delete_selected", "_selected_action": [_object_of(model).pk]},
            )
            assert response.status_code == 200, url
            _assert_spanish(response, f"{url} delete selected")


def test_add_forms_sent_empty_explain_themselves_in_spanish(owner_client):
    for model in admin.site._registry:
        opts = model._meta
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_add")
        if owner_client.get(url).status_code != 200:
            continue  # no add page (the audit trail, the login records)
        response = owner_client.post(url, {})
        assert response.status_code == 200, url
        _assert_spanish(response, f"{url} sent empty")


def test_login_logout_and_password_pages_are_in_spanish(seeded):
    client = Client()
    _assert_spanish(client.get(reverse("admin:login")), "login")
    response = client.post(reverse("admin:login"), {"username": OWNER, "password": "mal"})
    assert "Por favor introduzca" in response.content.decode()
    _assert_spanish(response, "login refused")
    client.force_login(seeded)
    response = client.post(reverse("admin:password_change"), {"old_password": "x"})
    _assert_spanish(response, "password change refused")
    response = client.post(reverse("admin:logout"))
    _assert_spanish(response, "logged out")
    assert "Cerrar sesión" in response.content.decode()


def test_the_dashboard_is_in_spanish(owner_client):
    response = owner_client.get(reverse("tablero:index"))
    assert response.status_code == 200
    _assert_spanish(response, "dashboard")


@pytest.mark.parametrize(
    ("html", "english"),
    [
        ('<select><option value="">- Select an option -</option></select>', "- Select an option -"),
        ('<h2 class="visually-hidden">Search usuarios</h2>', "Search usuarios"),
        ("<nav><h2>Pagination documentos</h2></nav>", "Pagination documentos"),
        ("<div><h3> Access attempts </h3></div>", "Access attempts"),
        ('<th><a href="?o=1">Attempt Time</a></th>', "Attempt Time"),
        ('<input type="submit" value="Save and continue editing">', "Save and continue editing"),
        ('<a title="Add another proyecto" href="#">+</a>', "Add another proyecto"),
        ("<th>Status</th>", "Status"),
        ("<h1>Attempted Access: 2026-11-24</h1>", "Attempted Access: 2026-11-24"),
    ],
)
def test_the_detector_finds_english(html, english):
    assert [text for text, _why in english_on(f"<html><body>{html}</body></html>")] == [english]


def test_the_detector_lets_spanish_and_data_through():
    html = (
        "<html><head><title>Documentos | PILi Quarts</title><script>var a = 'Select all';</script>"
        "</head><body><h1>Seleccione documento a modificar</h1><p>No</p><p>Total</p>"
        '<p>planta-baja.pdf</p><p>/admin/login/</p><p title="24 de noviembre">hace 3 días</p>'
        "<p>Edificio Residencial Miraflores</p><p>PDF</p><p>1 234 resultados</p></body></html>"
    )
    assert english_on(html) == []
    assert "Select all" not in visible_texts(html)


def test_the_detector_knows_the_admins_messages():
    exact, pattern = english_messages()
    assert {"Save and add another", "Access attempts", "Username", "Log out"} <= exact
    assert pattern.fullmatch("Filter by tipo")
