"""Organizations (`workspaces`) and who belongs to them (`workspace_members`)."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.db import DatabaseNow, TimestampedModel, choices_check, empty_json, uuid_primary_key
from core.roles import WorkspaceRol


class Plan(models.TextChoices):
    FREE = "free", _("Gratuito")
    PRO = "pro", _("Pro")
    ENTERPRISE = "enterprise", _("Empresa")


class Workspace(TimestampedModel):
    """A construction company's space: its projects, team and documents.

    `owner` is the accountable user; the database refuses to delete a user who
    still owns a workspace (ownership must move first).
    """

    id = uuid_primary_key()
    nombre = models.CharField(_("nombre"), max_length=255)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    descripcion = models.TextField(_("descripción"), blank=True, default="", db_default="")
    # DO_NOTHING leaves the foreign key without ON DELETE: the database refuses.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        related_name="owned_workspaces",
        verbose_name=_("propietario"),
    )
    plan = models.CharField(
        _("plan"), max_length=20, choices=Plan, default=Plan.FREE, db_default=Plan.FREE
    )
    settings = empty_json(_("configuración"))

    class Meta:
        db_table = "workspaces"
        verbose_name = _("workspace")
        verbose_name_plural = _("workspaces")
        ordering = ["nombre"]
        indexes = [
            # The admin's list in its order (then Django's tie-break: -pk), not sorted.
            models.Index(fields=["nombre", "-id"], name="workspaces_nombre_order_idx"),
        ]
        constraints = [
            choices_check(
                "plan", Plan, name="workspaces_plan_valid", message=_("El plan no es válido.")
            ),
        ]

    def __str__(self):
        return self.nombre


class WorkspaceMember(models.Model):
    """A user's membership of a workspace, with their role there (one per pair)."""

    id = uuid_primary_key()
    # The unique (workspace, user) index already serves lookups by workspace.
    workspace = models.ForeignKey(
        Workspace,
        on_delete=models.DB_CASCADE,
        related_name="members",
        db_index=False,
        verbose_name=_("workspace"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DB_CASCADE,
        related_name="workspace_memberships",
        verbose_name=_("usuario"),
    )
    rol = models.CharField(
        _("rol"),
        max_length=20,
        choices=WorkspaceRol,
        default=WorkspaceRol.MEMBER,
        db_default=WorkspaceRol.MEMBER,
    )
    joined_at = models.DateTimeField(_("se unió"), db_default=DatabaseNow(), editable=False)

    class Meta:
        db_table = "workspace_members"
        verbose_name = _("miembro del workspace")
        verbose_name_plural = _("miembros del workspace")
        ordering = ["joined_at"]
        indexes = [
            # The admin's list in its order (then Django's tie-break: -pk), not sorted.
            models.Index(fields=["joined_at", "-id"], name="workspace_members_joined_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "user"],
                name="workspace_members_unique_member",
                violation_error_message=_("Este usuario ya es miembro del workspace."),
            ),
            choices_check(
                "rol",
                WorkspaceRol,
                name="workspace_members_rol_valid",
                message=_("El rol no es válido."),
            ),
        ]

    def __str__(self):
        return f"{self.user} en {self.workspace} ({self.get_rol_display()})"

    @property
    def is_workspace_owner(self):
        """Is this the membership of the workspace's owner? It keeps the owner role, and stays."""
        return bool(self.workspace_id) and self.user_id == self.workspace.owner_id

    def clean(self):
        # The owner's own membership keeps the owner role: so a workspace always has one.
        if self.is_workspace_owner and self.rol != WorkspaceRol.OWNER:
            raise ValidationError(
                {"rol": _("El propietario del workspace conserva el rol de propietario.")}
            )
