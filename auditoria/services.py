"""Writing the audit trail: one typed row per change, in the change's own transaction."""

import json
from contextlib import contextmanager

from django.core.serializers.json import DjangoJSONEncoder
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.utils.translation import gettext as _

from auditoria.events import EVENTS
from auditoria.models import Actividad
from core.services import DomainError

# Never copied into an audit row's metadata.
SECRET_FIELDS = frozenset({"password", "password_hash"})


def record(event, *, user, entidad_id, workspace=None, proyecto=None, labels=None, **metadata):
    """Append the audit row of one `event` (a code of `auditoria.events.Evento`).

    Call it from the service that made the change, inside its transaction.
    `user` is the actor (None for scripts); `metadata` is stored with the
    event code and renders the row's Spanish sentence, where `labels` may
    replace a value by its display name ("admin" -> "Administrador").
    """
    spec = EVENTS[event]
    metadata = json.loads(
        json.dumps(
            {k: v for k, v in metadata.items() if k not in SECRET_FIELDS}, cls=DjangoJSONEncoder
        )
    )
    workspace_id = getattr(workspace, "pk", workspace)
    if proyecto is not None and workspace_id is None:
        workspace_id = proyecto.workspace_id
    return Actividad.objects.create(
        user=user if user is not None and user.is_authenticated else None,
        tipo=spec.tipo,
        entidad_tipo=spec.entidad_tipo,
        entidad_id=entidad_id,
        descripcion=str(spec.sentence) % {**metadata, **(labels or {})},
        workspace_id=workspace_id,
        proyecto_id=getattr(proyecto, "pk", proyecto),
        metadata={"evento": str(event), **metadata},
    )


def changes(before, after):
    """{field: {"antes": old, "despues": new}} for the fields whose value changed."""
    return {
        field: {"antes": before.get(field), "despues": after.get(field)}
        for field in sorted(set(before) | set(after))
        if field not in SECRET_FIELDS and before.get(field) != after.get(field)
    }


def edit_fields(obj, fields, editable):
    """Set `fields` on `obj`, only those in `editable`, and validate it; return what changed.

    The {field: {"antes", "despues"}} of an edit, for its audit row; empty when
    nothing changed (and then nothing needs saving nor recording).
    """
    unknown = set(fields) - set(editable)
    if unknown:
        raise DomainError(_("El campo %(campo)s no se edita aquí.") % {"campo": unknown.pop()})
    before = snapshot(obj, editable)
    for name, value in fields.items():
        setattr(obj, name, value)
    obj.full_clean()
    return changes(before, snapshot(obj, editable))


def snapshot(obj, fields):
    """The values of `fields` of `obj` as JSON-friendly values, for before/after."""
    values = {}
    for name in fields:
        field = obj._meta.get_field(name)
        value = field.value_from_object(obj)
        values[name] = (
            value
            if isinstance(value, (bool, int, dict, list, str)) or value is None
            else str(value)
        )
    return values


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
