"""Projects and their teams, each change with its audit row."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.forms.models import model_to_dict
from django.utils.translation import gettext as _

from auditoria.models import EntidadTipo, TipoActividad
from auditoria.services import changes, record_actividad
from documentos.models import Documento, DocumentoVersion, Folder
from proyectos.models import Proyecto, ProyectoMember, ProyectoRol
from workspaces.models import WorkspaceMember

EDITABLE_FIELDS = (
    "nombre", "descripcion", "tipo", "estado", "fecha_inicio", "fecha_fin", "presupuesto",
    "metadata",
)  # fmt: skip


def _snapshot(proyecto):
    return {k: str(v) if v is not None else None for k, v in model_to_dict(
        proyecto, fields=EDITABLE_FIELDS).items()}  # fmt: skip


@transaction.atomic
def create_proyecto(*, workspace, nombre, user=None, **fields):
    proyecto = Proyecto(workspace=workspace, nombre=nombre, **fields)
    proyecto.full_clean()
    proyecto.save()
    record_actividad(
        user=user,
        tipo=TipoActividad.CREAR,
        entidad_tipo=EntidadTipo.PROYECTO,
        entidad_id=proyecto.pk,
        proyecto=proyecto,
        descripcion=_("Creó el proyecto «%(nombre)s»") % {"nombre": nombre},
        metadata=_snapshot(proyecto),
    )
    return proyecto


@transaction.atomic
def update_proyecto(*, proyecto, user=None, **fields):
    """Change a project's fields; the audit row keeps each change, before and after."""
    before = _snapshot(Proyecto.objects.select_for_update().get(pk=proyecto.pk))
    for name, value in fields.items():
        if name not in EDITABLE_FIELDS:
            raise ValidationError(_("El campo %(campo)s no se edita aquí.") % {"campo": name})
        setattr(proyecto, name, value)
    proyecto.full_clean()
    proyecto.save()
    diff = changes(before, _snapshot(proyecto))
    if diff:
        record_actividad(
            user=user,
            tipo=TipoActividad.EDITAR,
            entidad_tipo=EntidadTipo.PROYECTO,
            entidad_id=proyecto.pk,
            proyecto=proyecto,
            descripcion=_("Editó el proyecto «%(nombre)s»") % {"nombre": proyecto.nombre},
            metadata={"cambios": diff},
        )
    return proyecto


@transaction.atomic
def delete_proyecto(*, proyecto, user=None):
    """Delete a project; the database cascades, so what goes is counted first."""
    counts = {
        "carpetas": Folder.objects.filter(proyecto=proyecto).count(),
        "documentos": Documento.objects.filter(proyecto=proyecto).count(),
        "versiones": DocumentoVersion.objects.filter(documento__proyecto=proyecto).count(),
        "miembros": ProyectoMember.objects.filter(proyecto=proyecto).count(),
    }
    record_actividad(
        user=user,
        tipo=TipoActividad.ELIMINAR,
        entidad_tipo=EntidadTipo.PROYECTO,
        entidad_id=proyecto.pk,
        workspace=proyecto.workspace,
        descripcion=_("Eliminó el proyecto «%(nombre)s»") % {"nombre": proyecto.nombre},
        metadata={"nombre": proyecto.nombre, **counts},
    )
    proyecto.delete()
    return counts


@transaction.atomic
def add_proyecto_member(*, proyecto, member, rol=ProyectoRol.VIEWER, user=None):
    """Add a workspace member to a project's team."""
    if not WorkspaceMember.objects.filter(workspace_id=proyecto.workspace_id, user=member).exists():
        raise ValidationError(
            _("%(email)s no es miembro del workspace del proyecto.") % {"email": member.email}
        )
    membership = ProyectoMember(proyecto=proyecto, user=member, rol=rol)
    membership.full_clean()
    membership.save()
    record_actividad(
        user=user,
        tipo=TipoActividad.COMPARTIR,
        entidad_tipo=EntidadTipo.USUARIO,
        entidad_id=member.pk,
        proyecto=proyecto,
        descripcion=_("Añadió a %(email)s al proyecto como %(rol)s")
        % {"email": member.email, "rol": membership.get_rol_display()},
        metadata={"valores": {"user": member.email, "rol": rol}},
    )
    return membership


@transaction.atomic
def change_proyecto_member_rol(*, membership, rol, user=None):
    """Give a project member another role in the team."""
    current = ProyectoMember.objects.select_for_update().get(pk=membership.pk)
    before = current.rol
    current.rol = rol
    current.full_clean()
    if before == rol:
        return current
    current.save(update_fields=["rol"])
    record_actividad(
        user=user,
        tipo=TipoActividad.COMPARTIR,
        entidad_tipo=EntidadTipo.USUARIO,
        entidad_id=current.user_id,
        proyecto=current.proyecto,
        descripcion=_("Cambió el rol de %(email)s en el proyecto a %(rol)s")
        % {"email": current.user.email, "rol": current.get_rol_display()},
        metadata={"cambios": {"rol": {"antes": before, "despues": rol}}},
    )
    membership.rol = rol
    return current


@transaction.atomic
def remove_proyecto_member(*, membership, user=None):
    """Take a member out of a project's team (they stay in the workspace)."""
    current = ProyectoMember.objects.select_for_update().get(pk=membership.pk)
    current.delete()
    record_actividad(
        user=user,
        tipo=TipoActividad.COMPARTIR,
        entidad_tipo=EntidadTipo.USUARIO,
        entidad_id=current.user_id,
        proyecto=current.proyecto,
        descripcion=_("Quitó a %(email)s del proyecto") % {"email": current.user.email},
        metadata={"valores": {"user": current.user.email, "rol": current.rol}},
    )
