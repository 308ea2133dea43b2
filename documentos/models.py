"""The folder tree (`folders`), the files (`documentos`) and their versions."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.db import DatabaseNow, TimestampedModel, choices_check, empty_json, uuid_primary_key


class TipoDocumento(models.TextChoices):
    COTIZACION = "cotizacion", _("Cotización")
    INFORME = "informe", _("Informe")
    PLANO = "plano", _("Plano")
    CONTRATO = "contrato", _("Contrato")
    OTRO = "otro", _("Otro")


class Formato(models.TextChoices):
    PDF = "pdf", "PDF"
    DOCX = "docx", "DOCX"
    XLSX = "xlsx", "XLSX"
    DWG = "dwg", "DWG"
    OTRO = "otro", _("Otro")


def trash_timestamp():
    """When a folder or document went to the trash; NULL while it is not there."""
    return models.DateTimeField(
        _("en la papelera desde"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("Vacío si no está en la papelera."),
    )


def trashed_by():
    """Who moved a folder or document to the trash; NULL once restored or if they are deleted."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DB_SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("enviado a la papelera por"),
    )


class TrashQuerySet(models.QuerySet):
    """Rows in the trash have `deleted_at` set; everyday reads see only the others."""

    def alive(self):
        return self.filter(deleted_at__isnull=True)

    def trashed(self):
        return self.filter(deleted_at__isnull=False)


class Folder(TimestampedModel):
    """A folder of a project's tree; deleted with its project or its parent.

    `path` is the slash-joined chain of names from the root (`/Planos/Estructura`),
    indexed for prefix search of a subtree. A folder is never its own parent.
    """

    id = uuid_primary_key()
    nombre = models.CharField(_("nombre"), max_length=255)
    # Indexed below together with path: a project's folders in the list's order.
    proyecto = models.ForeignKey(
        "proyectos.Proyecto",
        on_delete=models.DB_CASCADE,
        related_name="folders",
        db_index=False,
        verbose_name=_("proyecto"),
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.DB_CASCADE,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("carpeta superior"),
    )
    path = models.CharField(_("ruta"), max_length=2000, editable=False)
    deleted_at = trash_timestamp()
    deleted_by = trashed_by()

    objects = TrashQuerySet.as_manager()

    class Meta:
        db_table = "folders"
        verbose_name = _("carpeta")
        verbose_name_plural = _("carpetas")
        ordering = ["path"]
        indexes = [
            # text_pattern_ops lets PostgreSQL use the index for `LIKE 'prefix%'`
            # whatever the collation; other databases ignore the operator class.
            models.Index(
                fields=["path"], name="folders_path_prefix_idx", opclasses=["text_pattern_ops"]
            ),
            # The admin's list in path order, read from the index instead of sorted.
            models.Index(fields=["path", "id"], name="folders_path_order_idx"),
            # A project's folders (its cascades, its lookups) in the list's order: a
            # member's list reads each project apart (ScopedModelAdmin.scope_branches).
            models.Index(fields=["proyecto", "path", "id"], name="folders_proy_path_idx"),
            # The trash (TrashFilter) in the list's order: a few rows, not a scan of all.
            models.Index(
                fields=["path", "id"],
                condition=models.Q(deleted_at__isnull=False),
                name="folders_trash_path_idx",
            ),
        ]
        constraints = [
            # Target of the composite foreign keys that keep a sub-folder or a document
            # in its folder's project (added by migration 0003 on PostgreSQL).
            models.UniqueConstraint(fields=["id", "proyecto"], name="folders_id_proyecto_unique"),
            models.UniqueConstraint(
                fields=["parent", "nombre"],
                name="folders_unique_nombre_in_parent",
                violation_error_message=_("Ya existe una carpeta con este nombre aquí."),
            ),
            # NULL parents never collide in a unique index: the root needs its own.
            models.UniqueConstraint(
                fields=["proyecto", "nombre"],
                condition=models.Q(parent__isnull=True),
                name="folders_unique_nombre_at_root",
                violation_error_message=_(
                    "Ya existe una carpeta con este nombre en la raíz del proyecto."
                ),
            ),
            models.CheckConstraint(
                condition=~models.Q(nombre__contains="/") & ~models.Q(nombre=""),
                name="folders_nombre_valid",
                violation_error_message=_(
                    "El nombre de una carpeta no puede estar vacío ni contener «/»."
                ),
            ),
            models.CheckConstraint(
                condition=~models.Q(parent=models.F("id")),
                name="folders_not_own_parent",
                violation_error_message=_("Una carpeta no puede ser su propia carpeta superior."),
            ),
        ]

    def __str__(self):
        return self.path or self.nombre

    def clean(self):
        if self.parent_id and self.proyecto_id and self.parent.proyecto_id != self.proyecto_id:
            raise ValidationError(
                {"parent": _("La carpeta superior debe pertenecer al mismo proyecto.")}
            )


class Documento(TimestampedModel):
    """A file of a project, optionally inside a folder; deleted with either.

    `version`, `storage_path` and `size_bytes` describe its current version.
    `created_by` becomes NULL if its author is deleted: the document stays.
    """

    id = uuid_primary_key()
    nombre = models.CharField(_("nombre"), max_length=255)
    # Indexed below together with the id: a project's documents, their ids alone.
    proyecto = models.ForeignKey(
        "proyectos.Proyecto",
        on_delete=models.DB_CASCADE,
        related_name="documentos",
        db_index=False,
        verbose_name=_("proyecto"),
    )
    # Indexed below together with nombre, for a folder's listing in order.
    folder = models.ForeignKey(
        Folder,
        on_delete=models.DB_CASCADE,
        null=True,
        blank=True,
        related_name="documentos",
        db_index=False,
        verbose_name=_("carpeta"),
    )
    tipo = models.CharField(
        _("tipo"),
        max_length=20,
        choices=TipoDocumento,
        default=TipoDocumento.OTRO,
        db_default=TipoDocumento.OTRO,
    )
    formato = models.CharField(
        _("formato"), max_length=10, choices=Formato, default=Formato.OTRO, db_default=Formato.OTRO
    )
    size_bytes = models.BigIntegerField(_("tamaño (bytes)"), default=0, db_default=0)
    storage_path = models.CharField(
        _("ruta de almacenamiento"), max_length=1024, blank=True, default="", db_default=""
    )
    version = models.PositiveIntegerField(_("versión"), default=1, db_default=1)
    metadata = empty_json(_("metadatos"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DB_SET_NULL,
        null=True,
        blank=True,
        db_column="created_by",
        related_name="documentos_creados",
        verbose_name=_("creado por"),
    )
    deleted_at = trash_timestamp()
    deleted_by = trashed_by()

    objects = TrashQuerySet.as_manager()

    class Meta:
        db_table = "documentos"
        verbose_name = _("documento")
        verbose_name_plural = _("documentos")
        ordering = ["nombre"]
        indexes = [
            models.Index(fields=["folder", "nombre"], name="documentos_folder_nombre_idx"),
            # The everyday list: documents not in the trash, by name.
            models.Index(
                fields=["nombre"],
                condition=models.Q(deleted_at__isnull=True),
                name="documentos_alive_nombre_idx",
            ),
            # A project's documents (its cascades, its lookups) and their ids without the
            # table: a member's versions are read through their documents in id order
            # (admin_kit.changelist.Lead).
            models.Index(fields=["proyecto", "id"], name="documentos_proyecto_ids_idx"),
            # A member's list, one project at a time, in the list's order (name, then
            # newest id: the admin's tie-break), merged (ScopedModelAdmin.scope_branches).
            models.Index(
                fields=["proyecto", "nombre", "-id"],
                condition=models.Q(deleted_at__isnull=True),
                name="documentos_proy_nombre_idx",
            ),
            # The trash (TrashFilter) by name: a few rows, not a scan of all.
            models.Index(
                fields=["nombre", "-id"],
                condition=models.Q(deleted_at__isnull=False),
                name="documentos_trash_nombre_idx",
            ),
            # A member's list filtered by its filters' columns, counted from the index
            # alone: up to the count's limit, not every document of their projects.
            models.Index(
                fields=["proyecto", "tipo", "formato"],
                condition=models.Q(deleted_at__isnull=True),
                name="documentos_proy_filtros_idx",
            ),
        ]
        constraints = [
            choices_check(
                "tipo",
                TipoDocumento,
                name="documentos_tipo_valid",
                message=_("El tipo de documento no es válido."),
            ),
            choices_check(
                "formato",
                Formato,
                name="documentos_formato_valid",
                message=_("El formato no es válido."),
            ),
            models.CheckConstraint(
                condition=models.Q(size_bytes__gte=0),
                name="documentos_size_not_negative",
                violation_error_message=_("El tamaño no puede ser negativo."),
            ),
            models.CheckConstraint(
                condition=models.Q(version__gte=1),
                name="documentos_version_positive",
                violation_error_message=_("La versión empieza en 1."),
            ),
        ]

    def __str__(self):
        return self.nombre

    def clean(self):
        if self.folder_id and self.proyecto_id and self.folder.proyecto_id != self.proyecto_id:
            raise ValidationError(
                {"folder": _("La carpeta debe pertenecer al proyecto del documento.")}
            )


class DocumentoVersion(models.Model):
    """One stored version of a document; numbers are unique per document.

    Deleted with its document; `created_by` becomes NULL if its author is deleted.
    """

    id = uuid_primary_key()
    # The unique (documento, version) index already serves lookups by documento.
    documento = models.ForeignKey(
        Documento,
        on_delete=models.DB_CASCADE,
        related_name="versions",
        db_index=False,
        verbose_name=_("documento"),
    )
    version = models.PositiveIntegerField(_("versión"), default=1, db_default=1)
    storage_path = models.CharField(
        _("ruta de almacenamiento"), max_length=1024, blank=True, default="", db_default=""
    )
    size_bytes = models.BigIntegerField(_("tamaño (bytes)"), default=0, db_default=0)
    cambios = models.TextField(_("cambios"), blank=True, default="", db_default="")
    sha256 = models.CharField(
        _("SHA-256"),
        max_length=64,
        blank=True,
        default="",
        db_default="",
        editable=False,
        help_text=_("Suma de comprobación del contenido guardado."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DB_SET_NULL,
        null=True,
        blank=True,
        db_column="created_by",
        related_name="versiones_creadas",
        verbose_name=_("creado por"),
    )
    created_at = models.DateTimeField(_("creado"), db_default=DatabaseNow(), editable=False)

    class Meta:
        db_table = "documento_versions"
        verbose_name = _("versión de documento")
        verbose_name_plural = _("versiones de documento")
        ordering = ["documento_id", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["documento", "version"],
                name="documento_versions_unique_version",
                violation_error_message=_("Esta versión del documento ya existe."),
            ),
            models.CheckConstraint(
                condition=models.Q(version__gte=1),
                name="documento_versions_version_positive",
                violation_error_message=_("La versión empieza en 1."),
            ),
            models.CheckConstraint(
                condition=models.Q(size_bytes__gte=0),
                name="documento_versions_size_not_negative",
                violation_error_message=_("El tamaño no puede ser negativo."),
            ),
        ]

    def __str__(self):
        return f"v{self.version}"


class ProyectoTotales(models.Model):
    """A project's documents, versions and stored bytes, kept by the database itself.

    Triggers on `documentos` (migration 0008) add and subtract every insert,
    update and delete, whoever writes, so the dashboard reads one row per
    project instead of summing a million documents. The same arithmetic as
    `tablero.selectors.project_totals` used to do: a document's `version` is how
    many versions it has, `size_bytes` its current version's size, and a
    document in the trash counts for versions and bytes, not as a document.
    Read-only for the code.
    """

    proyecto = models.OneToOneField(
        "proyectos.Proyecto",
        on_delete=models.DB_CASCADE,
        primary_key=True,
        related_name="totales",
        verbose_name=_("proyecto"),
    )
    documentos = models.BigIntegerField(_("documentos"), default=0, db_default=0)
    versiones = models.BigIntegerField(_("versiones"), default=0, db_default=0)
    bytes = models.BigIntegerField(_("bytes"), default=0, db_default=0)

    class Meta:
        db_table = "proyecto_totales"
        verbose_name = _("totales de proyecto")
        verbose_name_plural = _("totales de proyectos")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(documentos__gte=0, versiones__gte=0, bytes__gte=0),
                name="proyecto_totales_not_negative",
                violation_error_message=_("Los totales no pueden ser negativos."),
            ),
        ]

    def __str__(self):
        return str(self.proyecto_id)
