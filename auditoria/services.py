"""Writing the audit trail: one row per operation, in the operation's own transaction."""

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


__all__ = ["EntidadTipo", "TipoActividad", "changes", "record_actividad"]
