"""Construction projects (`proyectos`) and their teams (`proyecto_members`)."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.db import DatabaseNow, TimestampedModel, choices_check, empty_json, uuid_primary_key
from core.roles import ProyectoRol


class TipoProyecto(models.TextChoices):
    RESIDENCIAL = "residencial", _("Residencial")
    COMERCIAL = "comercial", _("Comercial")
    INDUSTRIAL = "industrial", _("Industrial")
    OTRO = "otro", _("Otro")


class EstadoProyecto(models.TextChoices):
    ACTIVO = "activo", _("Activo")
    PAUSADO = "pausado", _("Pausado")
    COMPLETADO = "completado", _("Completado")
    CANCELADO = "cancelado", _("Cancelado")


class Proyecto(TimestampedModel):
    """A construction project of a workspace; deleted with its workspace.

    Its budget is never negative and it cannot end before it starts.
    """

    id = uuid_primary_key()
    nombre = models.CharField(_("nombre"), max_length=255)
    workspace = models.ForeignKey(
        "workspaces.Workspace",
        on_delete=models.DB_CASCADE,
        related_name="proyectos",
        verbose_name=_("workspace"),
    )
    descripcion = models.TextField(_("descripción"), blank=True, default="", db_default="")
    tipo = models.CharField(
        _("tipo"),
        max_length=20,
        choices=TipoProyecto,
        default=TipoProyecto.OTRO,
        db_default=TipoProyecto.OTRO,
    )
    estado = models.CharField(
        _("estado"),
        max_length=20,
        choices=EstadoProyecto,
        default=EstadoProyecto.ACTIVO,
        db_default=EstadoProyecto.ACTIVO,
    )
    fecha_inicio = models.DateField(_("fecha de inicio"), null=True, blank=True)
    fecha_fin = models.DateField(_("fecha de fin"), null=True, blank=True)
    presupuesto = models.DecimalField(
        _("presupuesto"), max_digits=15, decimal_places=2, null=True, blank=True
    )
    metadata = empty_json(_("metadatos"))

    class Meta:
        db_table = "proyectos"
        verbose_name = _("proyecto")
        verbose_name_plural = _("proyectos")
        ordering = ["nombre"]
        indexes = [
            # The admin's list in its order (then Django's tie-break: -pk), not sorted.
            models.Index(fields=["nombre", "-id"], name="proyectos_nombre_order_idx"),
        ]
        constraints = [
            choices_check(
                "tipo",
                TipoProyecto,
                name="proyectos_tipo_valid",
                message=_("El tipo de proyecto no es válido."),
            ),
            choices_check(
                "estado",
                EstadoProyecto,
                name="proyectos_estado_valid",
                message=_("El estado del proyecto no es válido."),
            ),
            models.CheckConstraint(
                condition=models.Q(presupuesto__gte=0),
                name="proyectos_presupuesto_not_negative",
                violation_error_message=_("El presupuesto no puede ser negativo."),
            ),
            models.CheckConstraint(
                condition=models.Q(fecha_fin__gte=models.F("fecha_inicio")),
                name="proyectos_fecha_fin_after_inicio",
                violation_error_message=_(
                    "La fecha de fin no puede ser anterior a la fecha de inicio."
                ),
            ),
        ]

    def __str__(self):
        return self.nombre


class ProyectoMember(models.Model):
    """A user's place in a project's team, with their role there (one per pair)."""

    id = uuid_primary_key()
    # The unique (proyecto, user) index already serves lookups by proyecto.
    proyecto = models.ForeignKey(
        Proyecto,
        on_delete=models.DB_CASCADE,
        related_name="members",
        db_index=False,
        verbose_name=_("proyecto"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DB_CASCADE,
        related_name="proyecto_memberships",
        verbose_name=_("usuario"),
    )
    rol = models.CharField(
        _("rol"),
        max_length=20,
        choices=ProyectoRol,
        default=ProyectoRol.VIEWER,
        db_default=ProyectoRol.VIEWER,
    )
    joined_at = models.DateTimeField(_("se unió"), db_default=DatabaseNow(), editable=False)

    class Meta:
        db_table = "proyecto_members"
        verbose_name = _("miembro del proyecto")
        verbose_name_plural = _("miembros del proyecto")
        ordering = ["joined_at"]
        indexes = [
            # The admin's list in its order (then Django's tie-break: -pk), not sorted.
            models.Index(fields=["joined_at", "-id"], name="proyecto_members_joined_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["proyecto", "user"],
                name="proyecto_members_unique_member",
                violation_error_message=_("Este usuario ya es miembro del proyecto."),
            ),
            choices_check(
                "rol",
                ProyectoRol,
                name="proyecto_members_rol_valid",
                message=_("El rol no es válido."),
            ),
        ]

    def __str__(self):
        return f"{self.user} en {self.proyecto} ({self.get_rol_display()})"

    def clean(self):
        # Only a member of the project's workspace joins its team.
        if (
            self.proyecto_id
            and self.user_id
            and not self.proyecto.workspace.members.filter(user_id=self.user_id).exists()
        ):
            raise ValidationError(
                {"user": _("Debe ser miembro del workspace del proyecto antes de unirse a él.")}
            )
