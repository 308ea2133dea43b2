"""Workspaces and their teams: creation, members and ownership, each with its audit row."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from auditoria.models import EntidadTipo, TipoActividad
from auditoria.services import record_actividad, record_admin_change, snapshot
from proyectos.models import ProyectoMember
from workspaces.models import Workspace, WorkspaceMember, WorkspaceRol


@transaction.atomic
def create_workspace(*, nombre, slug, owner, plan=None, user=None):
    """A workspace whose owner is also its first member, with the owner role."""
    workspace = Workspace(nombre=nombre, slug=slug, owner=owner, **({"plan": plan} if plan else {}))
    workspace.full_clean()
    workspace.save()
    WorkspaceMember.objects.create(workspace=workspace, user=owner, rol=WorkspaceRol.OWNER)
    record_actividad(
        user=user,
        tipo=TipoActividad.CREAR,
        entidad_tipo=EntidadTipo.WORKSPACE,
        entidad_id=workspace.pk,
        workspace=workspace,
        descripcion=_("Creó el workspace «%(nombre)s»") % {"nombre": nombre},
        metadata={"owner": owner.email},
    )
    return workspace


@transaction.atomic
def ensure_owner_membership(*, workspace, user=None):
    """The owner is always an owner member of their workspace (added or promoted if not).

    For owners set outside `create_workspace` and `transfer_workspace_ownership`,
    such as the admin's workspace form.
    """
    membership, created = WorkspaceMember.objects.get_or_create(
        workspace=workspace, user=workspace.owner, defaults={"rol": WorkspaceRol.OWNER}
    )
    before = None
    if not created and membership.rol != WorkspaceRol.OWNER:
        before = snapshot(membership)
        membership.rol = WorkspaceRol.OWNER
        membership.save(update_fields=["rol"])
    if created or before:
        record_admin_change(
            obj=membership,
            user=user,
            tipo=TipoActividad.CREAR if created else TipoActividad.EDITAR,
            before=before,
        )
    return membership


def _audit_membership(*, user, workspace, member, descripcion, metadata):
    record_actividad(
        user=user,
        tipo=TipoActividad.COMPARTIR,
        entidad_tipo=EntidadTipo.USUARIO,
        entidad_id=member.pk,
        workspace=workspace,
        descripcion=descripcion,
        metadata=metadata,
    )


@transaction.atomic
def add_workspace_member(*, workspace, member, rol=WorkspaceRol.MEMBER, user=None):
    """Share a workspace with a user, with a role."""
    membership = WorkspaceMember(workspace=workspace, user=member, rol=rol)
    membership.full_clean()
    membership.save()
    _audit_membership(
        user=user,
        workspace=workspace,
        member=member,
        descripcion=_("Añadió a %(email)s al workspace como %(rol)s")
        % {"email": member.email, "rol": membership.get_rol_display()},
        metadata={"valores": {"user": member.email, "rol": rol}},
    )
    return membership


def _owners_left(workspace, excluding):
    return (
        WorkspaceMember.objects.filter(workspace=workspace, rol=WorkspaceRol.OWNER)
        .exclude(pk=excluding.pk)
        .exists()
    )


@transaction.atomic
def change_workspace_member_rol(*, membership, rol, user=None):
    """Give a member another role; the owner keeps theirs, and some owner always remains."""
    membership = WorkspaceMember.objects.select_for_update().get(pk=membership.pk)
    workspace = Workspace.objects.select_for_update().get(pk=membership.workspace_id)
    if membership.rol == WorkspaceRol.OWNER and rol != WorkspaceRol.OWNER:
        if membership.user_id == workspace.owner_id:
            raise ValidationError(
                _("Es el propietario del workspace: transfiera la propiedad antes.")
            )
        if not _owners_left(workspace, membership):
            raise ValidationError(_("Un workspace siempre conserva al menos un propietario."))
    before = membership.rol
    if before == rol:
        return membership
    membership.rol = rol
    membership.full_clean()
    membership.save(update_fields=["rol"])
    _audit_membership(
        user=user,
        workspace=workspace,
        member=membership.user,
        descripcion=_("Cambió el rol de %(email)s a %(rol)s")
        % {"email": membership.user.email, "rol": membership.get_rol_display()},
        metadata={"cambios": {"rol": {"antes": before, "despues": rol}}},
    )
    return membership


@transaction.atomic
def remove_workspace_member(*, membership, user=None):
    """Remove a member, and their place in the workspace's projects with them."""
    membership = WorkspaceMember.objects.select_for_update().get(pk=membership.pk)
    workspace = Workspace.objects.select_for_update().get(pk=membership.workspace_id)
    if membership.user_id == workspace.owner_id:
        raise ValidationError(_("Es el propietario del workspace: transfiera la propiedad antes."))
    if membership.rol == WorkspaceRol.OWNER and not _owners_left(workspace, membership):
        raise ValidationError(_("Un workspace siempre conserva al menos un propietario."))
    proyectos, _detail = ProyectoMember.objects.filter(
        user_id=membership.user_id, proyecto__workspace=workspace
    ).delete()
    membership.delete()
    _audit_membership(
        user=user,
        workspace=workspace,
        member=membership.user,
        descripcion=_("Quitó a %(email)s del workspace") % {"email": membership.user.email},
        metadata={
            "valores": {"user": membership.user.email, "rol": membership.rol},
            "proyectos_quitados": proyectos,
        },
    )


@transaction.atomic
def transfer_workspace_ownership(*, workspace, new_owner, user=None):
    """Make another member the owner (they get the owner role too)."""
    workspace = Workspace.objects.select_for_update().get(pk=workspace.pk)
    membership = WorkspaceMember.objects.filter(workspace=workspace, user=new_owner).first()
    if membership is None:
        raise ValidationError(_("El nuevo propietario debe ser miembro del workspace."))
    before = workspace.owner.email
    membership.rol = WorkspaceRol.OWNER
    membership.save(update_fields=["rol"])
    workspace.owner = new_owner
    workspace.save(update_fields=["owner", "updated_at"])
    record_actividad(
        user=user,
        tipo=TipoActividad.EDITAR,
        entidad_tipo=EntidadTipo.WORKSPACE,
        entidad_id=workspace.pk,
        workspace=workspace,
        descripcion=_("Transfirió la propiedad a %(email)s") % {"email": new_owner.email},
        metadata={"cambios": {"owner": {"antes": before, "despues": new_owner.email}}},
    )
    return workspace
