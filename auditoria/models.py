"""The audit trail (`actividades`): one row for everything that happens to the data."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.db import DatabaseNow, choices_check, empty_json, uuid_primary_key


class TipoActividad(models.TextChoices):
    CREAR = "crear", _("Crear")
    EDITAR = "editar", _("Editar")
    ELIMINAR = "eliminar", _("Eliminar")
    COMPARTIR = "compartir", _("Compartir")
    COMENTAR = "comentar", _("Comentar")
    OTRO = "otro", _("Otro")


class EntidadTipo(models.TextChoices):
    PROYECTO = "proyecto", _("Proyecto")
    DOCUMENTO = "documento", _("Documento")
    WORKSPACE = "workspace", _("Workspace")
    USUARIO = "usuario", _("Usuario")
    OTRO = "otro", _("Otro")


class EventoCode(models.Func):
    """A row's event code (`metadata["evento"]`) as text, spelled the same in its index.

    `metadata ->> 'evento'` on PostgreSQL, `json_extract(metadata, '$.evento')`
    on SQLite: a plain text comparison, which actividades_evento_idx answers.
    """

    template = "(%(expressions)s ->> 'evento')"
    output_field = models.CharField()

    def __init__(self):
        super().__init__(models.F("metadata"))

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(
            compiler, connection, template="json_extract(%(expressions)s, '$.evento')",
            **extra_context,
        )  # fmt: skip


class Actividad(models.Model):
    """Something a user did to an entity (`entidad_tipo`, `entidad_id`), and when.

    `user` is the actor, not the subject. The row outlives everything it points
    to: deleting the actor, project or workspace only sets that reference to NULL.
    """

    id = uuid_primary_key()
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DB_SET_NULL,
        null=True,
        blank=True,
        related_name="actividades",
        editable=False,
        verbose_name=_("usuario (autor)"),
    )
    # Indexed below together with created_at, for the project's feed.
    proyecto = models.ForeignKey(
        "proyectos.Proyecto",
        on_delete=models.DB_SET_NULL,
        null=True,
        blank=True,
        related_name="actividades",
        db_index=False,
        editable=False,
        verbose_name=_("proyecto"),
    )
    # Indexed below together with created_at, for the workspace's feed.
    workspace = models.ForeignKey(
        "workspaces.Workspace",
        on_delete=models.DB_SET_NULL,
        null=True,
        blank=True,
        related_name="actividades",
        db_index=False,
        editable=False,
        verbose_name=_("workspace"),
    )
    tipo = models.CharField(
        _("tipo"),
        max_length=20,
        choices=TipoActividad,
        default=TipoActividad.OTRO,
        db_default=TipoActividad.OTRO,
        editable=False,
    )
    entidad_tipo = models.CharField(
        _("tipo de entidad"),
        max_length=20,
        choices=EntidadTipo,
        default=EntidadTipo.OTRO,
        db_default=EntidadTipo.OTRO,
        editable=False,
    )
    entidad_id = models.UUIDField(_("id de la entidad"), null=True, blank=True, editable=False)
    descripcion = models.TextField(
        _("descripción"), blank=True, default="", db_default="", editable=False
    )
    metadata = empty_json(_("metadatos"), typed_by_people=False)
    # Indexed below, newest first (actividades_newest_idx): a range of dates reads that index.
    created_at = models.DateTimeField(_("fecha"), db_default=DatabaseNow(), editable=False)

    class Meta:
        db_table = "actividades"
        verbose_name = _("actividad")
        verbose_name_plural = _("actividades")
        ordering = ["-created_at", "-id"]
        get_latest_by = "created_at"
        indexes = [
            models.Index(
                "workspace",
                models.F("created_at").desc(),
                models.F("id").desc(),
                name="actividades_ws_feed_idx",
            ),
            models.Index(
                "proyecto",
                models.F("created_at").desc(),
                models.F("id").desc(),
                name="actividades_proy_feed_idx",
            ),
            models.Index(fields=["entidad_tipo", "entidad_id"], name="actividades_entidad_idx"),
            # One kind of event (`metadata["evento"]`, auditoria.events), newest first.
            models.Index(
                EventoCode(),
                models.F("created_at").desc(),
                models.F("id").desc(),
                name="actividades_evento_idx",
            ),
            # The whole trail newest first, as the admin lists and pages it.
            models.Index(
                models.F("created_at").desc(), models.F("id").desc(), name="actividades_newest_idx"
            ),
        ]
        constraints = [
            choices_check(
                "tipo",
                TipoActividad,
                name="actividades_tipo_valid",
                message=_("El tipo de actividad no es válido."),
            ),
            choices_check(
                "entidad_tipo",
                EntidadTipo,
                name="actividades_entidad_tipo_valid",
                message=_("El tipo de entidad no es válido."),
            ),
        ]

    def __str__(self):
        return self.descripcion or f"{self.get_tipo_display()} {self.get_entidad_tipo_display()}"
