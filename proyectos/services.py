"""Projects and their teams: each change a service with its audit row.

Nobody grants a project role above their own (a workspace owner or admin
outranks every project role); only members of the workspace join a team.
"""

from django.utils.translation import gettext as _

from auditoria.events import Evento
from auditoria.services import edit_fields, record, snapshot
from core.cascades import cascade_counts, delete_files_on_commit, stored_files
from core.permissions import access_for
from core.services import DomainError, service
from proyectos.models import Proyecto, ProyectoMember, ProyectoRol

EDITABLE_FIELDS = (
    "nombre", "descripcion", "tipo", "estado", "fecha_inicio", "fecha_fin", "presupuesto",
    "metadata",
)  # fmt: skip
# What deleting a project takes with it, counted for its audit row.
CASCADE = {
    "miembros": "members",
    "carpetas": "folders",
    "documentos": "documentos",
    "versiones": "documentos__versions",
}


def _scope(proyecto):
    return {"workspace_id": proyecto.workspace_id, "proyecto_id": proyecto.pk}


def _check_grant(user, proyecto, *roles):
    """`user` may give (or take) each of `roles` in `proyecto`: none above their own."""
    if user is None:
        return
    grantable = access_for(user, fresh=True).grantable_proyecto_roles(**_scope(proyecto))
    if not grantable:
        raise DomainError(_("No tiene permiso para cambiar el equipo de este proyecto."))
    if any(rol not in grantable for rol in roles):
        raise DomainError({"rol": _("No puede otorgar ni cambiar un rol superior al suyo.")})


@service
def create_proyecto(*, workspace, nombre, user=None, **fields):
    """A new project in a workspace."""
    proyecto = Proyecto(workspace=workspace, nombre=nombre, **fields)
    proyecto.full_clean()
    proyecto.save()
    record(
        Evento.PROYECTO_CREATED,
        user=user,
        entidad_id=proyecto.pk,
        proyecto=proyecto,
        nombre=proyecto.nombre,
        valores=snapshot(proyecto, EDITABLE_FIELDS),
    )
    return proyecto


@service
def update_proyecto(*, proyecto, user=None, **fields):
    """Change a project's fields; the audit row keeps each change, before and after."""
    current = Proyecto.objects.select_for_update().get(pk=proyecto.pk)
    diff = edit_fields(current, fields, EDITABLE_FIELDS)
    if diff:
        current.save()
        record(
            Evento.PROYECTO_UPDATED,
            user=user,
            entidad_id=current.pk,
            proyecto=current,
            nombre=current.nombre,
            cambios=diff,
        )
    for name in fields:
        setattr(proyecto, name, getattr(current, name))
    return current


@service
def delete_proyecto(*, proyecto, user=None):
    """Delete a project with its team, folders and documents; their files go once this commits."""
    current = Proyecto.objects.select_for_update().get(pk=proyecto.pk)
    counts = cascade_counts(current, CASCADE)
    files = stored_files(
        Proyecto.objects.filter(pk=current.pk), "documentos__versions__storage_path"
    )
    record(
        Evento.PROYECTO_DELETED,
        user=user,
        entidad_id=current.pk,
        workspace=current.workspace_id,
        nombre=current.nombre,
        valores=snapshot(current, EDITABLE_FIELDS),
        eliminados=counts,
    )
    current.delete()
    delete_files_on_commit(files)
    return counts


@service
def add_proyecto_member(*, proyecto, member, rol=ProyectoRol.VIEWER, user=None):
    """Add a workspace member to a project's team."""
    _check_grant(user, proyecto, rol)
    membership = ProyectoMember(proyecto=proyecto, user=member, rol=rol)
    membership.full_clean()
    membership.save()
    record(
        Evento.PROYECTO_MEMBER_ADDED,
        user=user,
        entidad_id=member.pk,
        proyecto=proyecto,
        nombre=proyecto.nombre,
        email=member.email,
        rol=rol,
        labels={"rol": membership.get_rol_display()},
    )
    return membership


@service
def change_proyecto_member_rol(*, membership, rol, user=None):
    """Give a project member another role in the team."""
    current = (
        ProyectoMember.objects.select_for_update()
        .select_related("proyecto", "user")
        .get(pk=membership.pk)
    )
    before = current.rol
    if before == rol:
        return current
    _check_grant(user, current.proyecto, before, rol)
    current.rol = rol
    current.full_clean()
    current.save(update_fields=["rol"])
    record(
        Evento.PROYECTO_MEMBER_ROLE_CHANGED,
        user=user,
        entidad_id=current.user_id,
        proyecto=current.proyecto,
        nombre=current.proyecto.nombre,
        email=current.user.email,
        rol=rol,
        cambios={"rol": {"antes": before, "despues": rol}},
        labels={"rol": current.get_rol_display()},
    )
    membership.rol = rol
    return current


@service
def remove_proyecto_member(*, membership, user=None):
    """Take a member out of a project's team (they stay in the workspace)."""
    current = (
        ProyectoMember.objects.select_for_update()
        .select_related("proyecto", "user")
        .get(pk=membership.pk)
    )
    _check_grant(user, current.proyecto, current.rol)
    current.delete()
    record(
        Evento.PROYECTO_MEMBER_REMOVED,
        user=user,
        entidad_id=current.user_id,
        proyecto=current.proyecto,
        nombre=current.proyecto.nombre,
        email=current.user.email,
        rol=current.rol,
    )
