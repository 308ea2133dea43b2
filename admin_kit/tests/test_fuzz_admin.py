"""The admin's forms under generated input: the page again with its errors, or the change
saved — never a 500, and nothing written when the form is refused.

Each example posts one form as a browser would (the page's own values, with
generated strings, numbers, dates, JSON and file names in its fields) as a
platform owner, on a savepoint rolled back afterwards (core.tests.fuzz). The
test client raises whatever a view raises, so a 500 fails the test on its own.
The number of inputs tried is recorded in docs/reliability.md.
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from accounts.models import RolGlobal, User
from accounts.tests.factories import UserFactory
from admin_kit.tests.test_one_write_path import inlines, page_data, url
from auditoria.models import Actividad
from core.tests.fuzz import (
    FUZZ,
    date_texts,
    example,
    file_contents,
    file_names,
    json_texts,
    names,
    number_texts,
    record,
    state,
    texts,
    uploaded,
)
from documentos import services as documentos
from documentos.models import Documento, DocumentoVersion, Folder, TipoDocumento
from proyectos import services as proyectos
from proyectos.models import EstadoProyecto, Proyecto, TipoProyecto
from workspaces import services as workspaces
from workspaces.models import Plan, Workspace, WorkspaceMember

pytestmark = pytest.mark.django_db

# What a form may answer: the page again (refused), a redirect (saved), or a 400 for a
# request no form could read (a NUL in the address, a broken multipart body).
REFUSED, SAVED, BAD_REQUEST = 200, 302, 400


@pytest.fixture
def w(client):
    owner = UserFactory(email="plataforma@example.com", rol_global=RolGlobal.OWNER)
    ana = UserFactory(email="ana@example.com")
    workspace = workspaces.create_workspace(nombre="Andes", slug="andes", owner=ana)
    proyecto = proyectos.create_proyecto(workspace=workspace, nombre="Obra")
    planos = documentos.create_folder(proyecto=proyecto, nombre="Planos")
    documento = documentos.upload_documento(
        proyecto=proyecto, folder=planos, nombre="planta.pdf",
        file=SimpleUploadedFile("planta.pdf", b"%PDF-1.7"),
    )  # fmt: skip
    client.force_login(owner)
    return {"client": client, "ana": ana, "workspace": workspace, "proyecto": proyecto,
            "planos": planos, "documento": documento}  # fmt: skip


def submit(reliability, fault, request, *models, files=None):
    """Post one generated form: refused with its errors and nothing written, or saved."""
    with example():
        before, stored = state(*models), files() if files else None
        response = request()
        assert response.status_code in (REFUSED, SAVED, BAD_REQUEST), response.status_code
        refused = response.status_code != SAVED
        if refused:
            if response.status_code == REFUSED:
                page = response.content.decode()
                assert "errornote" in page or "errorlist" in page, "refused without saying why"
            assert state(*models) == before, "a refused form changed the database"
            assert (files() if files else None) == stored, "a refused form left a stored file"
        record(reliability, fault, refused=refused)


def form_page(client, model, obj=None):
    """The add or change page's address and values, read once for all of a test's examples."""
    address = url(model, "change", obj.pk) if obj else url(model, "add")
    return address, page_data(client.get(address))


def choices(values):
    return st.one_of(st.sampled_from(list(values)), texts)


def _stored(settings):
    root = settings.MEDIA_ROOT
    return sorted(root.rglob("*")) if root.exists() else []


# -- accounts ------------------------------------------------------------------------


@FUZZ
@given(
    email=st.one_of(st.emails(), texts),
    nombre=names,
    rol=choices(RolGlobal.values),
    password1=st.one_of(texts, st.builds(lambda s: "Clave-larga-" + s, texts)),
    same_password=st.booleans(),
)
def test_user_add_form(reliability, w, email, nombre, rol, password1, same_password):
    submit(
        reliability,
        "generated e-mail addresses, names and passwords in the user add form",
        lambda: w["client"].post(
            url(User, "add"),
            {
                "email": email,
                "nombre": nombre,
                "rol_global": rol,
                "usable_password": "true",
                "password1": password1,
                "password2": password1 if same_password else password1 + "x",
            },
        ),
        User,
    )


@FUZZ
@given(
    changes=st.fixed_dictionaries(
        {},
        optional={
            "email": st.one_of(st.emails(), texts),
            "nombre": names,
            "avatar_url": texts,
            "settings": json_texts,
            "rol_global": choices(RolGlobal.values),
        },
    )
)
def test_user_change_form(reliability, w, changes):
    address, data = form_page(w["client"], User, w["ana"])
    submit(
        reliability,
        "generated account fields and preferences JSON in the user change form",
        lambda: w["client"].post(address, {**data, **changes}),
        User,
    )


# -- workspaces and projects -----------------------------------------------------------


@FUZZ
@given(
    nombre=names,
    slug=st.one_of(texts, st.from_regex(r"\A[-a-z0-9_]{1,120}\Z")),
    descripcion=texts,
    plan=choices(Plan.values),
    settings=json_texts,
)
def test_workspace_add_form(reliability, w, nombre, slug, descripcion, plan, settings):
    submit(
        reliability,
        "generated names, slugs and settings JSON in the workspace add form",
        lambda: w["client"].post(
            url(Workspace, "add"),
            {
                "nombre": nombre,
                "slug": slug,
                "owner": w["ana"].pk,
                "plan": plan,
                "settings": settings,
                "descripcion": descripcion,
                **inlines("members"),
            },
        ),
        Workspace,
        WorkspaceMember,
    )


@FUZZ
@given(
    changes=st.fixed_dictionaries(
        {},
        optional={
            "nombre": names,
            "descripcion": texts,
            "tipo": choices(TipoProyecto.values),
            "estado": choices(EstadoProyecto.values),
            "fecha_inicio": date_texts,
            "fecha_fin": date_texts,
            "presupuesto": number_texts,
            "metadata": json_texts,
        },
    )
)
def test_proyecto_change_form(reliability, w, changes):
    address, data = form_page(w["client"], Proyecto, w["proyecto"])
    submit(
        reliability,
        "generated text, dates, amounts and metadata JSON in the project change form",
        lambda: w["client"].post(address, {**data, **changes}),
        Proyecto,
    )


# -- folders and documents -------------------------------------------------------------


@FUZZ
@given(nombre=names, under_planos=st.booleans())
def test_folder_add_form(reliability, w, nombre, under_planos):
    address, data = form_page(w["client"], Folder)
    submit(
        reliability,
        "generated folder names in the folder add form",
        lambda: w["client"].post(
            address,
            {
                **data,
                "proyecto": w["proyecto"].pk,
                "nombre": nombre,
                **({"parent": w["planos"].pk} if under_planos else {}),
            },
        ),
        Folder,
    )


@FUZZ
@given(
    nombre=names,
    file_name=file_names,
    content=file_contents,
    tipo=choices(TipoDocumento.values),
)
def test_documento_add_form(reliability, w, settings, nombre, file_name, content, tipo):
    archivo = uploaded(file_name, content)
    submit(
        reliability,
        "generated document and file names in the document upload form",
        lambda: w["client"].post(
            url(Documento, "add"),
            {
                "nombre": nombre,
                "proyecto": w["proyecto"].pk,
                "folder": w["planos"].pk,
                "tipo": tipo,
                "archivo": archivo,
                **inlines("versions"),
            },
        ),
        Documento,
        DocumentoVersion,
        files=lambda: _stored(settings),
    )


@FUZZ
@given(
    changes=st.fixed_dictionaries(
        {}, optional={"nombre": names, "metadata": json_texts, "cambios": texts}
    ),
    file_name=st.one_of(st.none(), file_names),
)
def test_documento_change_form(reliability, w, settings, changes, file_name):
    address, data = form_page(w["client"], Documento, w["documento"])
    archivo = {} if file_name is None else {"archivo": uploaded(file_name, b"%PDF-1.7 v2")}
    submit(
        reliability,
        "generated names, metadata JSON, change notes and files in the document change form",
        lambda: w["client"].post(address, {**data, **changes, **archivo}),
        Documento,
        DocumentoVersion,
        files=lambda: _stored(settings),
    )


# -- searches, filters and autocomplete ---------------------------------------------------

CHANGELISTS = [Proyecto, Documento, Folder, Workspace, User, Actividad]


@FUZZ
@given(
    model=st.sampled_from(CHANGELISTS),
    params=st.dictionaries(
        st.one_of(st.sampled_from(["q", "o", "p", "tipo__exact", "estado__exact", "e"]), texts),
        texts,
        max_size=3,
    ),
)
def test_changelist_search_and_filters(reliability, w, model, params):
    with example():
        before = state()
        response = w["client"].get(url(model, "changelist"), params)
        assert response.status_code in (200, 302, 400), response.status_code
        assert state() == before
        reliability.tried(
            "fuzzing",
            "generated searches, filters, orderings and pages in the admin's lists",
            "a list or a redirect, no 500" if response.status_code != 400 else "a 400",
        )


@FUZZ
@given(term=texts)
def test_autocomplete(reliability, w, term):
    with example():
        response = w["client"].get(
            reverse("admin:autocomplete"),
            {
                "term": term,
                "app_label": "proyectos",
                "model_name": "proyecto",
                "field_name": "workspace",
            },
        )
        assert response.status_code in (200, 400), response.status_code
        reliability.tried(
            "fuzzing",
            "generated autocomplete terms",
            "results, no 500" if response.status_code == 200 else "a 400",
        )
