"""The schema is the guide's: tables, columns, defaults and ON DELETE rules, in the database."""

import uuid

import pytest
from django.db import connection, transaction

from accounts.models import User
from auditoria.models import Actividad
from documentos.models import Documento, DocumentoVersion, Folder
from proyectos.models import Proyecto, ProyectoMember
from workspaces.models import Workspace, WorkspaceMember

pytestmark = pytest.mark.django_db

# The guide's table listing (original-guide.md, "Initial Migration Details").
GUIDE_COLUMNS = {
    "users": {
        "id", "email", "nombre", "password_hash", "rol_global", "email_verified",
        "avatar_url", "settings", "created_at", "updated_at", "last_login",
    },
    "workspaces": {
        "id", "nombre", "slug", "descripcion", "owner_id", "plan", "settings",
        "created_at", "updated_at",
    },
    "workspace_members": {"id", "workspace_id", "user_id", "rol", "joined_at"},
    "proyectos": {
        "id", "nombre", "workspace_id", "descripcion", "tipo", "estado", "fecha_inicio",
        "fecha_fin", "presupuesto", "metadata", "created_at", "updated_at",
    },
    "proyecto_members": {"id", "proyecto_id", "user_id", "rol", "joined_at"},
    "folders": {"id", "nombre", "proyecto_id", "parent_id", "path", "created_at", "updated_at"},
    "documentos": {
        "id", "nombre", "proyecto_id", "folder_id", "tipo", "formato", "size_bytes",
        "storage_path", "version", "metadata", "created_by", "created_at", "updated_at",
    },
    "documento_versions": {
        "id", "documento_id", "version", "storage_path", "size_bytes", "cambios",
        "created_by", "created_at",
    },
    "actividades": {
        "id", "user_id", "proyecto_id", "workspace_id", "tipo", "entidad_tipo", "entidad_id",
        "descripcion", "metadata", "created_at",
    },
}  # fmt: skip


def _columns(table):
    with connection.cursor() as cursor:
        return {
            col.name: col for col in connection.introspection.get_table_description(cursor, table)
        }


@pytest.mark.parametrize("table", sorted(GUIDE_COLUMNS))
def test_table_has_every_column_of_the_guide(table):
    assert GUIDE_COLUMNS[table] <= set(_columns(table))


@pytest.mark.parametrize("table", sorted(GUIDE_COLUMNS))
def test_primary_key_is_a_uuid(table):
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, table)
    (pk,) = [c for c in constraints.values() if c["primary_key"]]
    partitioned = table == "actividades" and connection.vendor == "postgresql"
    # PostgreSQL wants the partition key in the key of a partitioned table (auditoria.0008).
    assert pk["columns"] == (["id", "created_at"] if partitioned else ["id"])
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT data_type FROM information_schema.columns "
                "WHERE table_name = %s AND column_name = 'id'",
                [table],
            )
            assert cursor.fetchone() == ("uuid",)


@pytest.mark.postgresql
@pytest.mark.parametrize(
    ("table", "column"),
    [
        ("users", "settings"),
        ("workspaces", "settings"),
        ("proyectos", "metadata"),
        ("documentos", "metadata"),
        ("actividades", "metadata"),
    ],
)
def test_json_columns_are_jsonb_on_postgresql(table, column):
    if connection.vendor != "postgresql":
        pytest.skip("jsonb is PostgreSQL's type")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT data_type FROM information_schema.columns "
            "WHERE table_name = %s AND column_name = %s",
            [table, column],
        )
        assert cursor.fetchone() == ("jsonb",)


def _raw_insert(table, values):
    columns = ", ".join(values)
    placeholders = ", ".join(["%s"] * len(values))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({columns}) VALUES ({placeholders})", list(values.values())
        )


def _pk(value):
    """A UUID as this database stores it (uuid on PostgreSQL, 32 hex digits on SQLite)."""
    return User._meta.pk.get_db_prep_value(value, connection)


def test_raw_insert_of_required_columns_gets_the_row_django_would_write():
    """Another program naming only the required columns gets every default Django would give."""
    django_user = User.objects.create(email="django@example.com", nombre="Django")
    _raw_insert("users", {"email": "raw@example.com", "nombre": "Raw", "password_hash": ""})
    raw_user = User.objects.get(email="raw@example.com")
    django_user.refresh_from_db()
    for field in ("rol_global", "email_verified", "avatar_url", "settings"):
        assert getattr(raw_user, field) == getattr(django_user, field), field
    assert isinstance(raw_user.pk, uuid.UUID)
    assert raw_user.created_at is not None and raw_user.updated_at is not None

    workspace = Workspace.objects.create(nombre="W", slug="w", owner=django_user)
    _raw_insert("workspaces", {"nombre": "Raw", "slug": "raw", "owner_id": _pk(raw_user.pk)})
    raw_ws = Workspace.objects.get(slug="raw")
    assert (raw_ws.plan, raw_ws.descripcion, raw_ws.settings) == (
        workspace.plan,
        workspace.descripcion,
        workspace.settings,
    )

    _raw_insert(
        "workspace_members",
        {"workspace_id": _pk(raw_ws.pk), "user_id": _pk(raw_user.pk)},
    )
    member = WorkspaceMember.objects.get(workspace=raw_ws)
    assert member.rol == WorkspaceMember._meta.get_field("rol").default
    assert member.joined_at is not None

    proyecto = Proyecto.objects.create(nombre="P", workspace=workspace)
    _raw_insert("proyectos", {"nombre": "Raw", "workspace_id": _pk(raw_ws.pk)})
    raw_proyecto = Proyecto.objects.get(nombre="Raw")
    for field in ("tipo", "estado", "metadata", "descripcion", "presupuesto"):
        assert getattr(raw_proyecto, field) == getattr(proyecto, field), field

    _raw_insert(
        "proyecto_members", {"proyecto_id": _pk(raw_proyecto.pk), "user_id": _pk(raw_user.pk)}
    )
    assert ProyectoMember.objects.get(proyecto=raw_proyecto).rol == "viewer"

    documento = Documento.objects.create(nombre="D", proyecto=proyecto)
    _raw_insert("documentos", {"nombre": "Raw", "proyecto_id": _pk(raw_proyecto.pk)})
    raw_doc = Documento.objects.get(nombre="Raw")
    for field in ("tipo", "formato", "size_bytes", "storage_path", "version", "metadata"):
        assert getattr(raw_doc, field) == getattr(documento, field), field

    _raw_insert("documento_versions", {"documento_id": _pk(raw_doc.pk)})
    version = DocumentoVersion.objects.get(documento=raw_doc)
    assert (version.version, version.size_bytes, version.cambios) == (1, 0, "")

    _raw_insert("actividades", {"descripcion": "raw"})
    actividad = Actividad.objects.get(descripcion="raw")
    assert (actividad.tipo, actividad.entidad_tipo, actividad.metadata) == ("otro", "otro", {})
    assert actividad.created_at is not None


@pytest.mark.django_db(transaction=True)
def test_deleting_a_user_keeps_their_documents_versions_and_audit_rows():
    from documentos.tests.factories import DocumentoFactory, DocumentoVersionFactory
    from workspaces.tests.factories import WorkspaceMemberFactory

    author = User.objects.create(email="autor@example.com", nombre="Autor")
    documento = DocumentoFactory(created_by=author)
    version = DocumentoVersionFactory(documento=documento, created_by=author)
    actividad = Actividad.objects.create(user=author, descripcion="subió un plano")
    WorkspaceMemberFactory(user=author)

    with transaction.atomic():
        author.delete()

    documento.refresh_from_db()
    version.refresh_from_db()
    actividad.refresh_from_db()
    assert documento.created_by_id is None
    assert version.created_by_id is None
    assert actividad.user_id is None
    assert not WorkspaceMember.objects.filter(user_id=author.pk).exists()


@pytest.mark.django_db(transaction=True)
def test_deleting_a_workspace_cascades_to_its_data_and_keeps_the_audit_trail():
    from documentos.tests.factories import DocumentoFactory, DocumentoVersionFactory, FolderFactory
    from proyectos.tests.factories import ProyectoFactory, ProyectoMemberFactory
    from workspaces.tests.factories import WorkspaceMemberFactory

    proyecto = ProyectoFactory()
    workspace = proyecto.workspace
    WorkspaceMemberFactory(workspace=workspace)
    ProyectoMemberFactory(proyecto=proyecto)
    parent = FolderFactory(proyecto=proyecto)
    child = FolderFactory(proyecto=proyecto, parent=parent)
    documento = DocumentoFactory(proyecto=proyecto, folder=child)
    DocumentoVersionFactory(documento=documento)
    actividad = Actividad.objects.create(
        workspace=workspace, proyecto=proyecto, descripcion="creó el proyecto"
    )
    other = DocumentoFactory()  # another workspace's document must survive

    with transaction.atomic():
        workspace.delete()

    assert not WorkspaceMember.objects.filter(workspace_id=workspace.pk).exists()
    assert not Proyecto.objects.filter(workspace_id=workspace.pk).exists()
    assert not ProyectoMember.objects.filter(proyecto_id=proyecto.pk).exists()
    assert not Folder.objects.filter(proyecto_id=proyecto.pk).exists()
    assert list(Documento.objects.all()) == [other]
    assert not DocumentoVersion.objects.filter(documento_id=documento.pk).exists()
    actividad.refresh_from_db()
    assert (actividad.workspace_id, actividad.proyecto_id) == (None, None)


@pytest.mark.django_db(transaction=True)
def test_deleting_a_folder_cascades_to_subfolders_documents_and_versions():
    from documentos.tests.factories import DocumentoFactory, DocumentoVersionFactory, FolderFactory

    root = FolderFactory()
    sibling = FolderFactory(proyecto=root.proyecto)
    child = FolderFactory(proyecto=root.proyecto, parent=root)
    documento = DocumentoFactory(proyecto=root.proyecto, folder=child)
    DocumentoVersionFactory(documento=documento)

    with transaction.atomic():
        Folder.objects.filter(pk=root.pk).delete()

    assert list(Folder.objects.all()) == [sibling]
    assert not Documento.objects.exists()
    assert not DocumentoVersion.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_database_refuses_to_delete_a_user_who_owns_a_workspace():
    from django.db import IntegrityError

    from workspaces.tests.factories import WorkspaceFactory

    workspace = WorkspaceFactory()
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM users WHERE id = %s",
            [_pk(workspace.owner_id)],
        )
    assert User.objects.filter(pk=workspace.owner_id).exists()
