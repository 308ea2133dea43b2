"""Writing the audit trail: one row per operation, in the operation's own transaction."""

from contextlib import contextmanager

from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.utils.translation import gettext_lazy as _lazy

from auditoria.models import Actividad, EntidadTipo, TipoActividad

# Never copied into an audit row's metadata.
SECRET_FIELDS = frozenset({"password", "password_hash"})


def record_actividad(
    *, user, tipo, entidad_tipo, entidad_id, descripcion, workspace=None, proyecto=None,
    metadata=None,
):  # fmt: skip
    """Append one audit row. Call it inside the transaction of the change it describes."""
    if proyecto is not None and workspace is None:
        workspace = proyecto.workspace
    return Actividad.objects.create(
        user=user if user is not None and user.is_authenticated else None,
        tipo=tipo,
        entidad_tipo=entidad_tipo,
        entidad_id=entidad_id,
        descripcion=descripcion,
        workspace=workspace,
        proyecto=proyecto,
        metadata={k: v for k, v in (metadata or {}).items() if k not in SECRET_FIELDS},
    )


def changes(before, after):
    """{field: {"antes": old, "despues": new}} for the fields whose value changed."""
    return {
        field: {"antes": before.get(field), "despues": after.get(field)}
        for field in sorted(set(before) | set(after))
        if field not in SECRET_FIELDS and before.get(field) != after.get(field)
    }


# -- audit rows for changes made through the admin -------------------------------

MEMBERSHIPS = frozenset({"workspaces.workspacemember", "proyectos.proyectomember"})
ENTIDADES = {
    "accounts.user": EntidadTipo.USUARIO,
    "workspaces.workspace": EntidadTipo.WORKSPACE,
    "workspaces.workspacemember": EntidadTipo.USUARIO,
    "proyectos.proyecto": EntidadTipo.PROYECTO,
    "proyectos.proyectomember": EntidadTipo.USUARIO,
    "documentos.documento": EntidadTipo.DOCUMENTO,
    "documentos.documentoversion": EntidadTipo.DOCUMENTO,
}
VERBS = {
    TipoActividad.CREAR: _lazy("Creó"),
    TipoActividad.EDITAR: _lazy("Editó"),
    TipoActividad.ELIMINAR: _lazy("Eliminó"),
}


def snapshot(obj):
    """The object's column values as JSON-friendly text (secrets left out)."""
    values = {}
    for field in obj._meta.concrete_fields:
        if field.name in SECRET_FIELDS or field.name in ("created_at", "updated_at"):
            continue
        value = field.value_from_object(obj)
        values[field.name] = (
            value if isinstance(value, (bool, int, dict, list)) or value is None else str(value)
        )
    return values


def _scope(obj):
    """(workspace, proyecto) an object belongs to, for the audit row's references."""
    from proyectos.models import Proyecto
    from workspaces.models import Workspace

    if isinstance(obj, Workspace):
        return obj, None
    if isinstance(obj, Proyecto):
        return obj.workspace, obj
    for path in ("proyecto", "documento.proyecto"):
        target = obj
        for part in path.split("."):
            target = getattr(target, part, None)
        if isinstance(target, Proyecto):
            return target.workspace, target
    workspace = getattr(obj, "workspace", None)
    return (workspace if isinstance(workspace, Workspace) else None), None


def record_admin_change(*, obj, user, tipo, before=None, deleted=None):
    """One audit row for a create, edit or delete made in the admin.

    Memberships are recorded as sharing (`compartir`) of the member; a delete
    lists what the database removed with the object (`deleted`: table -> rows).
    """
    label = obj._meta.label_lower
    workspace, proyecto = _scope(obj)
    after = snapshot(obj)
    if tipo == TipoActividad.EDITAR:
        metadata = {"cambios": changes(before or {}, after)}
        if not metadata["cambios"]:
            return None
    else:
        metadata = {"valores": after}
    if deleted:
        metadata["eliminados"] = deleted
    if label not in ENTIDADES:
        metadata["entidad"] = obj._meta.model_name
    descripcion = f"{VERBS[tipo]} {obj._meta.verbose_name} «{obj}»"
    if label in MEMBERSHIPS:
        tipo, entidad_id = TipoActividad.COMPARTIR, obj.user_id
    else:
        entidad_id = obj.pk
    return record_actividad(
        user=user,
        tipo=tipo,
        entidad_tipo=ENTIDADES.get(label, EntidadTipo.OTRO),
        entidad_id=entidad_id,
        workspace=workspace,
        proyecto=proyecto,
        descripcion=descripcion,
        metadata=metadata,
    )


# -- the one deliberate way past the append-only triggers -------------------------


@contextmanager
def audit_purge_allowed(using=DEFAULT_DB_ALIAS):
    """A transaction in which audit rows may be deleted (the triggers of migration 0003).

    PostgreSQL: `SET LOCAL piliquarts.audit_purge = 'on'`, gone when the transaction
    ends. SQLite: a row in auditoria_purge_allowed, removed before the transaction
    commits (and never seen by other connections meanwhile).
    """
    connection = connections[using]
    with transaction.atomic(using=using), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL piliquarts.audit_purge = 'on'")
            yield
        else:
            cursor.execute("INSERT INTO auditoria_purge_allowed (allowed) VALUES (1)")
            flag = cursor.lastrowid
            yield
            cursor.execute("DELETE FROM auditoria_purge_allowed WHERE rowid = %s", [flag])
