"""Every admin page opens for a platform admin, and none runs more queries as rows grow."""

import pytest
from django.contrib import admin
from django.contrib.admin.templatetags import admin_urls
from django.contrib.admin.utils import quote
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from accounts.models import User
from accounts.tests.factories import AdminUserFactory, UserFactory
from auditoria.models import Actividad
from auditoria.tests.factories import ActividadFactory
from documentos.models import Documento, DocumentoVersion, Folder
from documentos.tests.factories import DocumentoFactory, DocumentoVersionFactory, FolderFactory
from proyectos.models import Proyecto, ProyectoMember
from proyectos.tests.factories import ProyectoFactory, ProyectoMemberFactory
from workspaces.models import Workspace, WorkspaceMember
from workspaces.tests.factories import WorkspaceFactory, WorkspaceMemberFactory

pytestmark = pytest.mark.django_db


def _full_actividad():
    proyecto = ProyectoFactory()
    return ActividadFactory(proyecto=proyecto, workspace=proyecto.workspace)


def _documento_in_folder():
    folder = FolderFactory()
    return DocumentoFactory(proyecto=folder.proyecto, folder=folder)


# model -> a factory making one fully related row of it
ROW_FACTORIES = {
    User: UserFactory,
    Workspace: WorkspaceFactory,
    WorkspaceMember: WorkspaceMemberFactory,
    Proyecto: ProyectoFactory,
    ProyectoMember: ProyectoMemberFactory,
    Folder: lambda: FolderFactory(parent=FolderFactory()),
    Documento: _documento_in_folder,
    DocumentoVersion: DocumentoVersionFactory,
    Actividad: _full_actividad,
}


def _url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def _count_queries(client, url):
    client.get(url)  # warm up: the first request of a session also writes the session
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


@pytest.fixture
def admin_client(client):
    client.force_login(AdminUserFactory())
    return client


@pytest.mark.parametrize("model", ROW_FACTORIES, ids=lambda m: m._meta.db_table)
def test_changelist_queries_do_not_grow_with_rows(admin_client, model):
    ROW_FACTORIES[model]()
    few = _count_queries(admin_client, _url(model, "changelist"))
    for _ in range(6):
        ROW_FACTORIES[model]()
    assert _count_queries(admin_client, _url(model, "changelist")) == few


@pytest.mark.parametrize("model", ROW_FACTORIES, ids=lambda m: m._meta.db_table)
def test_changelist_search_opens(admin_client, model):
    ROW_FACTORIES[model]()
    response = admin_client.get(_url(model, "changelist"), {"q": "a"})
    assert response.status_code == 200


INLINE_CHILDREN = {
    # parent model -> (make parent, add one inline child to it)
    Workspace: (WorkspaceFactory, lambda ws: WorkspaceMemberFactory(workspace=ws)),
    Proyecto: (ProyectoFactory, lambda p: ProyectoMemberFactory(proyecto=p)),
    Folder: (
        FolderFactory,
        lambda f: (
            FolderFactory(proyecto=f.proyecto, parent=f),
            DocumentoFactory(proyecto=f.proyecto, folder=f),
        ),
    ),
    Documento: (DocumentoFactory, lambda d: DocumentoVersionFactory(documento=d)),
}


@pytest.mark.parametrize("model", INLINE_CHILDREN, ids=lambda m: m._meta.db_table)
def test_change_page_queries_do_not_grow_with_inline_rows(admin_client, model):
    make_parent, add_child = INLINE_CHILDREN[model]
    parent = make_parent()
    add_child(parent)
    few = _count_queries(admin_client, _url(model, "change", parent.pk))
    for _ in range(5):
        add_child(parent)
    assert _count_queries(admin_client, _url(model, "change", parent.pk)) == few


@pytest.mark.parametrize("model", ROW_FACTORIES, ids=lambda m: m._meta.db_table)
def test_change_page_opens(admin_client, model):
    obj = ROW_FACTORIES[model]()
    assert admin_client.get(_url(model, "change", obj.pk)).status_code == 200


@pytest.mark.parametrize("rol", ["member", "viewer", "guest"])
def test_a_user_without_memberships_enters_the_admin_and_sees_nothing(client, rol):
    ROW_FACTORIES[Documento]()
    client.force_login(UserFactory(rol_global=rol))
    response = client.get(reverse("admin:index"))
    assert response.status_code == 200
    apps = {app["app_label"] for app in response.context["app_list"]}
    assert apps <= {"accounts"}, "only their own user record may be listed"
    changelist = client.get(_url(Documento, "changelist"))
    assert changelist.status_code == 403


def test_audit_rows_cannot_be_added_changed_or_deleted_in_the_admin(admin_client):
    actividad = _full_actividad()
    assert admin_client.get(_url(Actividad, "add")).status_code == 403
    assert (
        admin_client.post(_url(Actividad, "delete", actividad.pk), {"post": "yes"}).status_code
        == 403
    )
    page = admin_client.get(_url(Actividad, "change", actividad.pk)).content.decode()
    assert 'name="_save"' not in page


def test_deleting_a_workspace_owner_in_the_admin_explains_the_refusal(admin_client):
    workspace = WorkspaceFactory(nombre="Constructora Andes")
    response = admin_client.post(_url(User, "delete", workspace.owner.pk), {"post": "yes"})
    assert response.status_code == 200
    assert "Constructora Andes" in response.content.decode()
    assert User.objects.filter(pk=workspace.owner.pk).exists()


def test_user_change_page_never_shows_the_password_hash(admin_client):
    user = UserFactory(password="s3creto-largo")
    page = admin_client.get(_url(User, "change", user.pk)).content.decode()
    encoded_hash = user.password.split("$")[-1]
    assert encoded_hash not in page


def test_admin_creates_a_folder_with_its_path(admin_client):
    parent = FolderFactory(nombre="Planos")
    response = admin_client.post(
        _url(Folder, "add"),
        {
            "proyecto": parent.proyecto.pk,
            "parent": parent.pk,
            "nombre": "Estructura",
            **_empty_inline_management("children", "documentos"),
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Folder.objects.get(nombre="Estructura").path == "/Planos/Estructura"


def _empty_inline_management(*prefixes):
    data = {}
    for prefix in prefixes:
        data.update(
            {
                f"{prefix}-TOTAL_FORMS": "0",
                f"{prefix}-INITIAL_FORMS": "0",
                f"{prefix}-MIN_NUM_FORMS": "0",
                f"{prefix}-MAX_NUM_FORMS": "1000",
            }
        )
    return data


def test_admin_speaks_spanish_whatever_the_browser_asks(admin_client):
    page = admin_client.get(reverse("admin:index"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert "Cerrar sesión" in page.text
    assert "Auditoría" in page.text
    assert "Groups" not in page.text and "Grupos" not in page.text


@pytest.mark.parametrize("model", ROW_FACTORIES, ids=lambda m: m._meta.db_table)
def test_a_rows_checkbox_is_djangos_own(model):
    """KeysetListMixin writes the row's checkbox itself: the same HTML as Django's widget."""
    from django.contrib import admin
    from django.utils import translation

    obj = ROW_FACTORIES[model]()
    model_admin = admin.site.get_model_admin(model)
    with translation.override("es"):
        ours = model_admin.action_checkbox(obj)
        djangos = admin.ModelAdmin.action_checkbox(model_admin, obj)
    assert type(model_admin).action_checkbox is not admin.ModelAdmin.action_checkbox
    assert ours == djangos
    assert "Seleccione" in ours or "Selecciona" in ours, ours


def test_a_rows_checkbox_escapes_its_name():
    from django.contrib import admin

    proyecto = ProyectoFactory(nombre='"><script>alert(1)</script> Ñandú')
    model_admin = admin.site.get_model_admin(Proyecto)
    html = model_admin.action_checkbox(proyecto)
    assert html == admin.ModelAdmin.action_checkbox(model_admin, proyecto)
    assert "<script>" not in html and "&lt;script&gt;" in html


@pytest.mark.parametrize("model", ROW_FACTORIES, ids=lambda model: model.__name__)
def test_a_filtered_lists_rows_link_with_its_filters_as_djangos_own_links_do(
    admin_client, model, monkeypatch
):
    """Each row's link carries the list's filters, built once a page, not by resolving each link.

    Django's add_preserved_filters resolves every row's URL to learn whether it
    is the list's own (never: a row links to its change page); the links must
    come out as Django would write them, with no change URL resolved.
    """
    for _ in range(3):
        ROW_FACTORIES[model]()
    query = {"o": "-1", "all": ""}  # two parameters: quoted and joined, as Django does
    resolved = []
    resolve = admin_urls.resolve
    monkeypatch.setattr(
        admin_urls, "resolve", lambda path, *args: resolved.append(path) or resolve(path, *args)
    )

    response = admin_client.get(_url(model, "changelist"), query)

    assert response.status_code == 200
    model_admin = admin.site.get_model_admin(model)
    preserved = model_admin.get_preserved_filters(response.wsgi_request)
    assert preserved, "the list is filtered: Django preserves its query in the row links"
    shown = response.context["cl"].result_list
    assert shown, "there are links to check"
    monkeypatch.setattr(admin_urls, "resolve", resolve)
    for row in shown:
        expected = admin_urls.add_preserved_filters(
            {"preserved_filters": preserved, "opts": model._meta},
            _url(model, "change", quote(row.pk)),
        )
        assert f'href="{escape(expected)}"' in response.text
    assert not [path for path in resolved if "/change/" in path]
