"""Workspaces and their teams: creation, edits, members, ownership and deletion.

Each function is a service (one transaction, one audit row per thing
changed). Nobody grants a workspace role above their own; the owner is
always an owner member; ownership moves only through `transfer_ownership`.
"""

from django.utils.translation import gettext as _

from auditoria.events import Evento
from auditoria.services import edit_fields, record, snapshot
from core.cascades import cascade_counts, delete_files_on_commit, stored_files
from core.permissions import access_for
from core.services import DomainError, service
from workspaces.models import Workspace, WorkspaceMember, WorkspaceRol

EDITABLE_FIELDS = ("nombre", "slug", "descripcion", "plan", "settings")
# What deleting a workspace takes with it, counted for its audit row.
CASCADE = {
    "miembros": "members",
    "proyectos": "proyectos",
    "carpetas": "proyectos__folders",
    "documentos": "proyectos__documentos",
    "versiones": "proyectos__documentos__versions",
}


def _check_grant(user, workspace, *roles):
    """`user` may give (or take) each of `roles` in `workspace`: none above their own."""
    if user is None:
        return
    grantable = access_for(user, fresh=True).grantable_workspace_roles(workspace.pk)
    if not grantable:
        raise DomainError(_("No tiene permiso para cambiar los miembros de este workspace."))
    if any(rol not in grantable for rol in roles):
        raise DomainError({"rol": _("No puede otorgar ni cambiar un rol superior al suyo.")})


def _member_labels(membership):
    return {"rol": membership.get_rol_display()}


@service
def create_workspace(*, nombre, slug, owner, user=None, **fields):
    """A workspace whose owner is also its first member, with the owner role."""
    workspace = Workspace(nombre=nombre, slug=slug, owner=owner, **fields)
    workspace.full_clean()
    workspace.save()
    WorkspaceMember.objects.create(workspace=workspace, user=owner, rol=WorkspaceRol.OWNER)
    record(
        Evento.WORKSPACE_CREATED,
        user=user,
        entidad_id=workspace.pk,
        workspace=workspace,
        nombre=workspace.nombre,
        valores={**snapshot(workspace, EDITABLE_FIELDS), "owner": owner.email},
    )
    return workspace


@service
def update_workspace(*, workspace, user=None, **fields):
    """Change a workspace's own fields (not its owner: see `transfer_ownership`)."""
    current = Workspace.objects.select_for_update().get(pk=workspace.pk)
    diff = edit_fields(current, fields, EDITABLE_FIELDS)
    if diff:
        current.save()
        record(
            Evento.WORKSPACE_UPDATED,
            user=user,
            entidad_id=current.pk,
            workspace=current,
            nombre=current.nombre,
            cambios=diff,
        )
    return current


@service
def transfer_ownership(*, workspace, new_owner, user=None):
    """Make another member the owner (with the owner role); only the owner or the platform may."""
    current = Workspace.objects.select_for_update().select_related("owner").get(pk=workspace.pk)
    if user is not None and not access_for(user, fresh=True).may_transfer(current):
        raise DomainError(_("Solo el propietario del workspace puede transferir la propiedad."))
    membership = current.members.filter(user=new_owner).first()
    if membership is None:
        raise DomainError({"owner": _("El nuevo propietario debe ser miembro del workspace.")})
    if new_owner.pk == current.owner_id:
        return current
    before = current.owner.email
    if membership.rol != WorkspaceRol.OWNER:
        membership.rol = WorkspaceRol.OWNER
        membership.save(update_fields=["rol"])
    current.owner = new_owner
    current.save(update_fields=["owner", "updated_at"])
    record(
        Evento.WORKSPACE_OWNERSHIP_TRANSFERRED,
        user=user,
        entidad_id=current.pk,
        workspace=current,
        nombre=current.nombre,
        email=new_owner.email,
        cambios={"owner": {"antes": before, "despues": new_owner.email}},
    )
    workspace.owner = new_owner
    return current


@service
def delete_workspace(*, workspace, user=None):
    """Delete a workspace with everything in it; its stored files go once this commits."""
    current = Workspace.objects.select_for_update().get(pk=workspace.pk)
    counts = cascade_counts(current, CASCADE)
    files = stored_files(
        Workspace.objects.filter(pk=current.pk), "proyectos__documentos__versions__storage_path"
    )
    record(
        Evento.WORKSPACE_DELETED,
        user=user,
        entidad_id=current.pk,
        workspace=current,
        nombre=current.nombre,
        valores=snapshot(current, EDITABLE_FIELDS),
        eliminados=counts,
    )
    current.delete()
    delete_files_on_commit(files)
    return counts


@service
def add_workspace_member(*, workspace, member, rol=WorkspaceRol.MEMBER, user=None):
    """Share a workspace with a user, with a role no higher than the giver's."""
    _check_grant(user, workspace, rol)
    membership = WorkspaceMember(workspace=workspace, user=member, rol=rol)
    membership.full_clean()
    membership.save()
    record(
        Evento.WORKSPACE_MEMBER_ADDED,
        user=user,
        entidad_id=member.pk,
        workspace=workspace,
        nombre=workspace.nombre,
        email=member.email,
        rol=rol,
        labels=_member_labels(membership),
    )
    return membership


@service
def change_workspace_member_rol(*, membership, rol, user=None):
    """Give a member another role; the owner keeps theirs (transfer the ownership first)."""
    current = (
        WorkspaceMember.objects.select_for_update()
        .select_related("workspace", "user")
        .get(pk=membership.pk)
    )
    before = current.rol
    if before == rol:
        return current
    _check_grant(user, current.workspace, before, rol)
    current.rol = rol
    current.full_clean()
    current.save(update_fields=["rol"])
    record(
        Evento.WORKSPACE_MEMBER_ROLE_CHANGED,
        user=user,
        entidad_id=current.user_id,
        workspace=current.workspace,
        nombre=current.workspace.nombre,
        email=current.user.email,
        rol=rol,
        cambios={"rol": {"antes": before, "despues": rol}},
        labels=_member_labels(current),
    )
    membership.rol = rol
    return current


@service
def remove_workspace_member(*, membership, user=None):
    """Remove a member, and their place in the workspace's projects with them."""
    current = (
        WorkspaceMember.objects.select_for_update()
        .select_related("workspace", "user")
        .get(pk=membership.pk)
    )
    _check_grant(user, current.workspace, current.rol)
    if current.is_workspace_owner:
        raise DomainError(_("Es el propietario del workspace: transfiera la propiedad antes."))
    proyectos, _detail = current.user.proyecto_memberships.filter(
        proyecto__workspace=current.workspace
    ).delete()
    current.delete()
    record(
        Evento.WORKSPACE_MEMBER_REMOVED,
        user=user,
        entidad_id=current.user_id,
        workspace=current.workspace,
        nombre=current.workspace.nombre,
        email=current.user.email,
        rol=current.rol,
        proyectos_quitados=proyectos,
    )
