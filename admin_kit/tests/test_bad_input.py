"""Bad input at the admin's doors: a Spanish refusal, never a 500, and nothing written or stored."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.tests.factories import UserFactory
from admin_kit.tests.test_one_write_path import DATA_MODELS, edit, url
from auditoria.models import Actividad
from documentos.models import Documento
from proyectos import services as proyectos
from proyectos.models import Proyecto
from workspaces import services as workspaces

pytestmark = pytest.mark.django_db


@pytest.fixture
def proyecto():
    owner = UserFactory()
    workspace = workspaces.create_workspace(nombre="Andes", slug="andes", owner=owner)
    return proyectos.create_proyecto(workspace=workspace, nombre="Obra")


@pytest.fixture
def owner_client(client, proyecto):
    client.force_login(proyecto.workspace.owner)
    return client


def _state():
    return {m._meta.db_table: sorted(map(str, m.objects.values_list())) for m in DATA_MODELS}


def _stored(settings):
    root = settings.MEDIA_ROOT
    return sorted(root.rglob("*")) if root.exists() else []


NUL_ADDRESSES = [
    ("admin:documentos_documento_changelist", {"q": "pla\x00no"}),
    ("admin:documentos_documento_changelist", {"tipo__exact": "\x00"}),
    ("admin:proyectos_proyecto_changelist", {"estado__exact": "activo\x00"}),
    ("admin:auditoria_actividad_changelist", {"evento": "x\x00"}),
    ("admin:autocomplete", {"term": "\x00", "app_label": "proyectos",
                            "model_name": "proyecto", "field_name": "workspace"}),
]  # fmt: skip


@pytest.mark.parametrize(("name", "params"), NUL_ADDRESSES)
def test_a_nul_in_a_search_filter_or_autocomplete_is_a_400(owner_client, name, params):
    response = owner_client.get(reverse(name), params)
    assert response.status_code == 400


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[" * 50_000 + "]" * 50_000, "ocupa más de"),
        ("[" * 10_000 + "]" * 10_000, "niveles de anidamiento"),
        (json.dumps({"a": "b\u0000c"}), "carácter nulo"),
        (json.dumps({"k": "x" * 70_000}), "ocupa más de"),
        ('{"a": ' * 25 + "1" + "}" * 25, "niveles de anidamiento"),
    ],
    ids=["50000-deep", "10000-deep", "nul", "too-large", "25-deep"],
)
def test_bad_json_in_a_form_is_a_form_error(owner_client, proyecto, text, message):
    before, rows = _state(), Actividad.objects.count()
    response = edit(owner_client, Proyecto, proyecto, metadata=text)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert (_state(), Actividad.objects.count()) == (before, rows)


def test_a_nul_in_a_text_field_is_a_form_error(owner_client, proyecto):
    before = _state()
    response = edit(owner_client, Proyecto, proyecto, nombre="Obra\x00")
    assert response.status_code == 200
    assert "nulo" in response.content.decode()
    assert _state() == before


def test_an_upload_past_the_limit_is_refused_before_anything_is_stored(
    owner_client, proyecto, settings
):
    settings.UPLOAD_MAX_BYTES = 1000
    before, files = _state(), _stored(settings)
    response = owner_client.post(
        url(Documento, "add"),
        {
            "nombre": "plano-grande.dwg", "proyecto": proyecto.pk, "tipo": "plano",
            "archivo": SimpleUploadedFile("plano-grande.dwg", b"x" * 5000),
            "versions-TOTAL_FORMS": "0", "versions-INITIAL_FORMS": "0",
        },
    )  # fmt: skip
    assert response.status_code == 200
    assert "supera el tamaño máximo de 1000" in response.content.decode()
    assert (_state(), _stored(settings)) == (before, files)


def test_any_file_name_is_stored_under_a_safe_bounded_name(owner_client, proyecto):
    nombre = "平面図" * 40 + ".dwg"  # 120 CJK characters: 363 bytes, past any file system's limit
    tricky = "../../" + "\x1b[31m" + nombre
    response = owner_client.post(
        url(Documento, "add"),
        {
            "nombre": nombre, "proyecto": proyecto.pk, "tipo": "plano",
            "archivo": SimpleUploadedFile(tricky, b"AC1027"),
            "versions-TOTAL_FORMS": "0", "versions-INITIAL_FORMS": "0",
        },
    )  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:2000]
    documento = Documento.objects.get()
    assert documento.nombre == nombre, "the document keeps the name the user gave"
    stored = documento.storage_path.rsplit("/", 1)[1]
    assert stored.endswith(".dwg") and stored.isascii() and len(stored) < 80
    assert ".." not in documento.storage_path
    assert documento.storage_path.startswith(f"documentos/{proyecto.pk}/{documento.pk}/")
