"""Every admin door writes through a service: one audit row per object changed, in its transaction.

The doors are driven as a person would (the page's own form, posted back with
one change), as a platform owner. Each must write exactly the audit rows of
the objects it changed, with their event codes; with the audit insert made
to fail, the door must leave the database (and the stored files) as they were.
Every request runs under `core.testing.ServiceWritesOnlyMiddleware`, so a
write that does not go through a service fails the test on its own.
"""

from collections.abc import Callable
from typing import NamedTuple

import pytest
from django.contrib import admin
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import reverse

from accounts.models import User
from accounts.tests.factories import UserFactory
from admin_kit.options import ScopedInline, ServiceDoorsMixin
from auditoria.models import Actividad
from core.services import WriteOutsideService, domain_tables, writes_only_through_services
from documentos import services as documentos
from documentos.models import Documento, DocumentoVersion, Folder
from proyectos import services as proyectos
from proyectos.models import Proyecto, ProyectoMember
from workspaces import services as workspaces
from workspaces.models import Workspace, WorkspaceMember

pytestmark = pytest.mark.django_db

DATA_MODELS = (User, Workspace, WorkspaceMember, Proyecto, ProyectoMember, Folder, Documento,
               DocumentoVersion)  # fmt: skip


@pytest.fixture
def owner_client(client):
    client.force_login(UserFactory(rol_global="owner", email="plataforma@example.com"))
    return client


@pytest.fixture
def w():
    """A small world: a workspace with a member, a project with a team, folders, a document."""
    owner = UserFactory(email="duena@example.com")
    ana = UserFactory(email="ana@example.com")
    workspace = workspaces.create_workspace(nombre="Andes", slug="andes", owner=owner)
    membership = workspaces.add_workspace_member(workspace=workspace, member=ana, rol="member")
    proyecto = proyectos.create_proyecto(workspace=workspace, nombre="Obra")
    team = proyectos.add_proyecto_member(proyecto=proyecto, member=ana, rol="tecnico")
    planos = documentos.create_folder(proyecto=proyecto, nombre="Planos")
    otra = documentos.create_folder(proyecto=proyecto, nombre="Otra")
    documento = documentos.upload_documento(
        proyecto=proyecto, folder=planos, nombre="planta.pdf",
        file=SimpleUploadedFile("planta.pdf", b"%PDF-1.7"),
    )  # fmt: skip
    return {
        "owner": owner, "ana": ana, "workspace": workspace, "membership": membership,
        "proyecto": proyecto, "team": team, "planos": planos, "otra": otra,
        "documento": documento,
    }  # fmt: skip


def url(model, view, *args):
    opts = model._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}", args=args)


def _field_values(form):
    """What a browser would post back for `form` unchanged."""
    data = {}
    for name, field in form.fields.items():
        if field.disabled:
            continue
        value = form[name].value()
        key = form.add_prefix(name)
        if value is None or value is False:
            continue
        data[key] = "on" if value is True else value
    return data


def page_data(response):
    """The change page's forms (the object's and its inlines') as posted back unchanged."""
    assert response.status_code == 200
    data = _field_values(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        data.update(
            {
                f"{formset.prefix}-TOTAL_FORMS": str(formset.total_form_count()),
                f"{formset.prefix}-INITIAL_FORMS": str(formset.initial_form_count()),
            }
        )
        for form in formset.forms:
            data.update(_field_values(form))
    return data


def edit(client, model, obj, **changes):
    address = url(model, "change", obj.pk)
    return client.post(address, {**page_data(client.get(address)), **changes})


def add_row(client, model, obj, prefix, **row):
    """The parent's page posted back with one more inline row."""
    address = url(model, "change", obj.pk)
    data = page_data(client.get(address))
    n = int(data[f"{prefix}-TOTAL_FORMS"])
    data[f"{prefix}-TOTAL_FORMS"] = str(n + 1)
    data.update({f"{prefix}-{n}-{key}": value for key, value in row.items()})
    return client.post(address, data)


def inline_row(client, model, obj, prefix, row_pk, **changes):
    """The parent's page posted back with one inline row changed (or marked DELETE)."""
    address = url(model, "change", obj.pk)
    data = page_data(client.get(address))
    n = next(
        key.split("-")[1]
        for key, value in data.items()
        if key.endswith("-id") and key.startswith(prefix) and str(value) == str(row_pk)
    )
    data.update({f"{prefix}-{n}-{key}": value for key, value in changes.items()})
    return client.post(address, data)


def bulk_delete(client, model, *objs):
    return client.post(
        url(model, "changelist"),
        {"action": "delete_selected", "_selected_action": [o.pk for o in objs], "post": "yes"},
    )


def action(client, model, name, *objs, query=""):
    return client.post(
        url(model, "changelist") + query,
        {"action": name, "_selected_action": [o.pk for o in objs]},
    )


def inlines(*prefixes):
    return {
        f"{prefix}-{key}": "0" for prefix in prefixes for key in ("TOTAL_FORMS", "INITIAL_FORMS")
    }


def upload(name, content=b"%PDF-1.7 contenido"):
    return SimpleUploadedFile(name, content)


class Door(NamedTuple):
    """One way to change data in the admin, and the events it must record (one per object)."""

    request: Callable  # (client, world, prepared) -> response
    events: list
    prepare: Callable = lambda w: {}  # what it needs made first, through the services


def _trash_folder(w):
    documentos.trash_folder(folder=w["otra"])
    return {}


def _trash_documento(w):
    documentos.trash_documento(documento=w["documento"])
    return {}


DOORS = {
    "usuario: añadir": Door(
        lambda c, w, x: c.post(url(User, "add"), {
            "email": "nuevo@example.com", "nombre": "Nuevo", "rol_global": "member",
            "usable_password": "true",
            "password1": "clave-larga-123", "password2": "clave-larga-123",
        }),
        ["usuario.created"],
    ),
    "usuario: editar": Door(
        lambda c, w, x: edit(c, User, w["ana"], nombre="Ana M."), ["usuario.updated"]
    ),
    "usuario: contraseña": Door(
        lambda c, w, x: c.post(reverse("admin:auth_user_password_change", args=[w["ana"].pk]), {
            "password1": "otra-clave-larga-9", "password2": "otra-clave-larga-9",
            "usable_password": "true",
        }),
        ["usuario.password_changed"],
    ),
    "usuario: eliminar": Door(
        lambda c, w, x: c.post(url(User, "delete", w["ana"].pk), {"post": "yes"}),
        ["usuario.deleted"],
    ),
    "usuario: eliminar varios": Door(
        lambda c, w, x: bulk_delete(c, User, w["ana"], x["other"]),
        ["usuario.deleted"] * 2,
        lambda w: {"other": UserFactory()},
    ),
    "workspace: añadir": Door(
        lambda c, w, x: c.post(url(Workspace, "add"), {
            "nombre": "Bosque", "slug": "bosque", "owner": w["ana"].pk, "plan": "free",
            "settings": "{}", "descripcion": "", **inlines("members"),
        }),
        ["workspace.created"],
    ),
    "workspace: editar": Door(
        lambda c, w, x: edit(c, Workspace, w["workspace"], descripcion="Obras civiles"),
        ["workspace.updated"],
    ),
    "workspace: añadir miembro en línea": Door(
        lambda c, w, x: add_row(c, Workspace, w["workspace"], "members",
                                user=x["newcomer"].pk, rol="viewer"),
        ["workspace_member.added"],
        lambda w: {"newcomer": UserFactory()},
    ),
    "workspace: cambiar rol en línea": Door(
        lambda c, w, x: inline_row(c, Workspace, w["workspace"], "members", w["membership"].pk,
                                   rol="admin"),
        ["workspace_member.role_changed"],
    ),
    "workspace: quitar miembro en línea": Door(
        lambda c, w, x: inline_row(c, Workspace, w["workspace"], "members", w["membership"].pk,
                                   DELETE="on"),
        ["workspace_member.removed"],
    ),
    "workspace: transferir la propiedad": Door(
        lambda c, w, x: c.post(url(Workspace, "transfer", w["workspace"].pk),
                               {"owner": w["ana"].pk}),
        ["workspace.ownership_transferred"],
    ),
    "workspace: eliminar": Door(
        lambda c, w, x: c.post(url(Workspace, "delete", w["workspace"].pk), {"post": "yes"}),
        ["workspace.deleted"],
    ),
    "workspace: eliminar varios": Door(
        lambda c, w, x: bulk_delete(c, Workspace, w["workspace"], x["other"]),
        ["workspace.deleted"] * 2,
        lambda w: {"other": workspaces.create_workspace(nombre="Bosque", slug="bosque",
                                                        owner=w["ana"])},
    ),
    "miembro del workspace: añadir": Door(
        lambda c, w, x: c.post(url(WorkspaceMember, "add"), {
            "workspace": w["workspace"].pk, "user": x["newcomer"].pk, "rol": "viewer"}),
        ["workspace_member.added"],
        lambda w: {"newcomer": UserFactory()},
    ),
    "miembro del workspace: editar": Door(
        lambda c, w, x: edit(c, WorkspaceMember, w["membership"], rol="viewer"),
        ["workspace_member.role_changed"],
    ),
    "miembro del workspace: eliminar": Door(
        lambda c, w, x: c.post(url(WorkspaceMember, "delete", w["membership"].pk),
                               {"post": "yes"}),
        ["workspace_member.removed"],
    ),
    "miembro del workspace: eliminar varios": Door(
        lambda c, w, x: bulk_delete(c, WorkspaceMember, w["membership"], x["other"]),
        ["workspace_member.removed"] * 2,
        lambda w: {"other": workspaces.add_workspace_member(workspace=w["workspace"],
                                                            member=UserFactory())},
    ),
    "proyecto: añadir": Door(
        lambda c, w, x: c.post(url(Proyecto, "add"), {
            "nombre": "Puente", "workspace": w["workspace"].pk, "tipo": "otro", "estado": "activo",
            "metadata": "{}", "descripcion": "", **inlines("members"),
        }),
        ["proyecto.created"],
    ),
    "proyecto: editar": Door(
        lambda c, w, x: edit(c, Proyecto, w["proyecto"], estado="pausado"), ["proyecto.updated"]
    ),
    "proyecto: añadir miembro en línea": Door(
        lambda c, w, x: add_row(c, Proyecto, w["proyecto"], "members",
                                user=w["owner"].pk, rol="gerente"),
        ["proyecto_member.added"],
    ),
    "proyecto: cambiar rol en línea": Door(
        lambda c, w, x: inline_row(c, Proyecto, w["proyecto"], "members", w["team"].pk,
                                   rol="ingeniero"),
        ["proyecto_member.role_changed"],
    ),
    "proyecto: quitar miembro en línea": Door(
        lambda c, w, x: inline_row(c, Proyecto, w["proyecto"], "members", w["team"].pk,
                                   DELETE="on"),
        ["proyecto_member.removed"],
    ),
    "proyecto: eliminar": Door(
        lambda c, w, x: c.post(url(Proyecto, "delete", w["proyecto"].pk), {"post": "yes"}),
        ["proyecto.deleted"],
    ),
    "proyecto: eliminar varios": Door(
        lambda c, w, x: bulk_delete(c, Proyecto, w["proyecto"], x["other"]),
        ["proyecto.deleted"] * 2,
        lambda w: {"other": proyectos.create_proyecto(workspace=w["workspace"], nombre="Puente")},
    ),
    "miembro del proyecto: añadir": Door(
        lambda c, w, x: c.post(url(ProyectoMember, "add"), {
            "proyecto": w["proyecto"].pk, "user": w["owner"].pk, "rol": "viewer"}),
        ["proyecto_member.added"],
    ),
    "miembro del proyecto: editar": Door(
        lambda c, w, x: edit(c, ProyectoMember, w["team"], rol="ingeniero"),
        ["proyecto_member.role_changed"],
    ),
    "miembro del proyecto: eliminar": Door(
        lambda c, w, x: c.post(url(ProyectoMember, "delete", w["team"].pk), {"post": "yes"}),
        ["proyecto_member.removed"],
    ),
    "miembro del proyecto: eliminar varios": Door(
        lambda c, w, x: bulk_delete(c, ProyectoMember, w["team"], x["other"]),
        ["proyecto_member.removed"] * 2,
        lambda w: {"other": proyectos.add_proyecto_member(proyecto=w["proyecto"],
                                                          member=w["owner"])},
    ),
    "carpeta: añadir": Door(
        lambda c, w, x: c.post(url(Folder, "add"), {
            "proyecto": w["proyecto"].pk, "parent": w["planos"].pk, "nombre": "Estructura",
            **inlines("children", "documentos"),
        }),
        ["folder.created"],
    ),
    "carpeta: mover": Door(
        lambda c, w, x: edit(c, Folder, w["otra"], parent=w["planos"].pk), ["folder.updated"]
    ),
    "carpeta: a la papelera": Door(
        lambda c, w, x: c.post(url(Folder, "delete", w["planos"].pk), {"post": "yes"}),
        ["folder.trashed"],
    ),
    "carpeta: eliminar de la papelera": Door(
        lambda c, w, x: c.post(url(Folder, "delete", w["otra"].pk), {"post": "yes"}),
        ["folder.deleted"],
        _trash_folder,
    ),
    "carpeta: eliminar varias": Door(
        lambda c, w, x: bulk_delete(c, Folder, w["planos"], w["otra"]), ["folder.trashed"] * 2
    ),
    "carpeta: restaurar de la papelera": Door(
        lambda c, w, x: action(c, Folder, "restore_from_trash", w["otra"], query="?papelera=si"),
        ["folder.restored"],
        _trash_folder,
    ),
    "documento: subir": Door(
        lambda c, w, x: c.post(url(Documento, "add"), {
            "nombre": "corte.pdf", "proyecto": w["proyecto"].pk, "folder": w["planos"].pk,
            "tipo": "plano", "archivo": upload("corte.pdf"), **inlines("versions"),
        }),
        ["documento.uploaded"],
    ),
    "documento: editar": Door(
        lambda c, w, x: edit(c, Documento, w["documento"], nombre="planta-baja.pdf"),
        ["documento.updated"],
    ),
    "documento: nueva versión": Door(
        lambda c, w, x: edit(c, Documento, w["documento"], archivo=upload("planta.pdf", b"v2"),
                             cambios="Cotas"),
        ["documento.version_added"],
    ),
    "documento: a la papelera": Door(
        lambda c, w, x: c.post(url(Documento, "delete", w["documento"].pk), {"post": "yes"}),
        ["documento.trashed"],
    ),
    "documento: eliminar de la papelera": Door(
        lambda c, w, x: c.post(url(Documento, "delete", w["documento"].pk), {"post": "yes"}),
        ["documento.deleted"],
        _trash_documento,
    ),
    "documento: eliminar varios": Door(
        lambda c, w, x: bulk_delete(c, Documento, w["documento"], x["other"]),
        ["documento.trashed"] * 2,
        lambda w: {"other": documentos.upload_documento(proyecto=w["proyecto"], nombre="b.pdf",
                                                        file=upload("b.pdf"))},
    ),
    "documento: restaurar de la papelera": Door(
        lambda c, w, x: action(c, Documento, "restore_from_trash", w["documento"],
                                query="?papelera=si"),
        ["documento.restored"],
        _trash_documento,
    ),
}  # fmt: skip


def _new_events(before):
    rows = Actividad.objects.exclude(pk__in=before).order_by("created_at", "id")
    return [row.metadata["evento"] for row in rows]


@pytest.mark.parametrize("door", DOORS)
def test_each_door_writes_one_audit_row_per_object_changed(owner_client, w, door):
    prepared = DOORS[door].prepare(w)
    before = set(Actividad.objects.values_list("pk", flat=True))
    response = DOORS[door].request(owner_client, w, prepared)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert sorted(_new_events(before)) == sorted(DOORS[door].events)
    actor = User.objects.get(email="plataforma@example.com")
    rows = Actividad.objects.exclude(pk__in=before)
    assert all(row.user == actor for row in rows), "the admin's user is the actor"
    assert all(row.descripcion for row in rows)


def _state():
    return {model._meta.db_table: sorted(map(str, model.objects.values_list())) for model in
            DATA_MODELS}  # fmt: skip


def _stored(settings):
    root = settings.MEDIA_ROOT
    if not root.exists():
        return []
    return sorted(path.relative_to(root) for path in root.rglob("*") if path.is_file())


def _refuse(**kwargs):
    raise RuntimeError("the audit row could not be written")


@pytest.mark.parametrize("door", DOORS)
def test_each_door_writes_its_change_and_audit_row_together(
    owner_client, w, door, monkeypatch, settings
):
    prepared = DOORS[door].prepare(w)
    before, files = _state(), _stored(settings)
    monkeypatch.setattr(Actividad.objects, "create", _refuse)
    with pytest.raises(RuntimeError, match="audit row"):
        DOORS[door].request(owner_client, w, prepared)
    monkeypatch.undo()
    assert _state() == before, "the change was kept without its audit row"
    assert _stored(settings) == files, "a stored file outlived its rolled-back change"


def test_every_registered_admin_writes_through_services():
    """No page of the admin keeps Django's own save or delete: each is a ServiceDoorsMixin."""
    for model, model_admin in admin.site._registry.items():
        if model._meta.db_table not in domain_tables():
            continue
        assert isinstance(model_admin, ServiceDoorsMixin), model
        for inline in model_admin.inlines:
            assert issubclass(inline, ScopedInline), inline


# Every action and every custom page the admin offers a platform owner, and the door above
# that drives it: a new one fails this test until it has its door (and its service).
ACTIONS = {
    (User, "delete_selected"): "usuario: eliminar varios",
    (Workspace, "delete_selected"): "workspace: eliminar varios",
    (WorkspaceMember, "delete_selected"): "miembro del workspace: eliminar varios",
    (Proyecto, "delete_selected"): "proyecto: eliminar varios",
    (ProyectoMember, "delete_selected"): "miembro del proyecto: eliminar varios",
    (Folder, "delete_selected"): "carpeta: eliminar varias",
    (Folder, "restore_from_trash"): "carpeta: restaurar de la papelera",
    (Documento, "delete_selected"): "documento: eliminar varios",
    (Documento, "restore_from_trash"): "documento: restaurar de la papelera",
}
EDITABLE_INLINES = {
    (Workspace, "WorkspaceMemberInline"): "workspace: añadir miembro en línea",
    (Proyecto, "ProyectoMemberInline"): "proyecto: añadir miembro en línea",
}
CUSTOM_PAGES = {
    "auth_user_password_change": "usuario: contraseña",
    "workspaces_workspace_transfer": "workspace: transferir la propiedad",
    "documentos_documentoversion_download": None,  # reads a file, writes nothing
}


def test_every_action_inline_and_custom_page_has_its_door(rf):
    request = rf.get("/")
    request.user = UserFactory(rol_global="owner")
    actions, inlines_seen, pages = {}, {}, {}
    for model, model_admin in admin.site._registry.items():
        if model._meta.db_table not in domain_tables():
            continue  # django-axes' login records: not the product's data
        for name in model_admin.get_actions(request):
            actions[(model, name)] = ACTIONS.get((model, name))
        for inline in model_admin.get_inline_instances(request):
            if inline.has_add_permission(request, None) or (
                inline.can_delete and (inline.has_delete_permission(request, None))
            ):
                inlines_seen[(model, type(inline).__name__)] = EDITABLE_INLINES.get(
                    (model, type(inline).__name__)
                )
        standard = {"changelist", "add", "history", "delete", "change", "autocomplete"}
        for pattern in model_admin.get_urls():
            name = getattr(pattern, "name", None) or ""
            own = f"{model._meta.app_label}_{model._meta.model_name}_"
            if name and name not in {own + view for view in standard}:
                pages[name] = CUSTOM_PAGES.get(name, "missing")
    assert set(actions) == set(ACTIONS)
    assert set(inlines_seen) == set(EDITABLE_INLINES)
    assert pages == CUSTOM_PAGES
    assert all(door in DOORS for door in [*ACTIONS.values(), *EDITABLE_INLINES.values()])


def test_a_write_outside_a_service_fails_loudly():
    with (
        writes_only_through_services(),
        pytest.raises(WriteOutsideService, match="workspaces"),
        transaction.atomic(),
    ):
        Workspace.objects.filter(slug="x").update(nombre="y")
    owner = UserFactory()
    with writes_only_through_services():
        workspaces.create_workspace(nombre="Permitido", slug="permitido", owner=owner)
    assert Workspace.objects.filter(slug="permitido").exists()
