"""Admin pages for folders, documents and their versions: every change through the services."""

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import Sum
from django.db.models.functions import Coalesce
from django.http import FileResponse, Http404
from django.template.defaultfilters import filesizeformat
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from admin_kit.options import ScopedInline, ScopedModelAdmin
from core.cascades import storage
from core.permissions import Action, Kind
from documentos import selectors, services
from documentos.models import Documento, DocumentoVersion, Folder, ProyectoTotales


class SubfolderInline(ScopedInline, admin.TabularInline):
    """The folder's children, for browsing; folders are created from their own page."""

    model = Folder
    access_kind = Kind.FOLDER
    workspace_field = "proyecto__workspace_id"
    proyecto_field = "proyecto_id"
    fk_name = "parent"
    fields = ("nombre", "path", "updated_at")
    readonly_fields = fields
    show_change_link = True
    extra = 0
    can_delete = False
    verbose_name = _("subcarpeta")
    verbose_name_plural = _("subcarpetas")

    def has_add_permission(self, request, obj=None):
        return False


class FolderDocumentoInline(ScopedInline, admin.TabularInline):
    model = Documento
    access_kind = Kind.DOCUMENTO
    workspace_field = "proyecto__workspace_id"
    proyecto_field = "proyecto_id"
    fields = ("nombre", "tipo", "formato", "version", "updated_at")
    readonly_fields = fields
    show_change_link = True
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class TrashFilter(admin.SimpleListFilter):
    """Everyday lists hide the trash; this filter shows it, to restore from it."""

    title = _("papelera")
    parameter_name = "papelera"

    def lookups(self, request, model_admin):
        return [("si", _("En la papelera"))]

    def queryset(self, request, queryset):
        return queryset.trashed() if self.value() == "si" else queryset.alive()


@admin.register(Folder)
class FolderAdmin(ScopedModelAdmin):
    access_kind = Kind.FOLDER
    workspace_field = "proyecto__workspace_id"
    proyecto_field = "proyecto_id"
    # A member's folders: each project read from folders_proy_path_idx.
    reads_per_scope = True
    list_display = ("path", "proyecto", "updated_at")
    list_select_related = ("proyecto",)
    ordering = ("path", "id")  # total, and in folders_path_order_idx
    list_filter = (TrashFilter,)
    actions = ("restore_from_trash",)
    search_fields = ("nombre", "path")
    autocomplete_fields = ("proyecto", "parent")
    fields = ("proyecto", "parent", "nombre", "ruta", "created_at", "updated_at")
    readonly_fields = ("ruta", "created_at", "updated_at")
    inlines = (SubfolderInline, FolderDocumentoInline)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("proyecto", "parent")

    def create(self, request, form):
        data = form.cleaned_data
        return services.create_folder(
            proyecto=data["proyecto"],
            parent=data["parent"],
            nombre=data["nombre"],
            user=request.user,
        )

    def update(self, request, obj, form):
        data = form.cleaned_data
        services.update_folder(
            folder=obj, nombre=data["nombre"], parent=data["parent"], user=request.user
        )

    @admin.display(description=_("ruta"))
    def ruta(self, obj):
        """The breadcrumb: each ancestor links to its own page."""
        if obj is None or obj._state.adding:
            return "-"
        links = [
            format_html(
                '<a href="{}">{}</a>',
                reverse("admin:documentos_folder_change", args=[ancestor.pk]),
                ancestor.nombre,
            )
            for ancestor in selectors.ancestors(obj)
        ]
        return format_html_join(" / ", "{}", ((link,) for link in [*links, obj.nombre]))

    def delete(self, request, obj):
        services.discard_folders(folders=[obj], user=request.user)

    def delete_queryset(self, request, queryset):
        # One service call for the whole choice: a folder under another chosen one goes with it.
        if (
            self.rows_q(request, Action.DELETE) is not None
            and queryset.exclude(self.rows_q(request, Action.DELETE)).exists()
        ):
            raise PermissionDenied
        services.discard_folders(folders=list(queryset), user=request.user)

    @admin.action(description=_("Restaurar de la papelera"))
    def restore_from_trash(self, request, queryset):
        for folder in queryset.trashed():
            if not self.has_change_permission(request, folder):
                raise PermissionDenied
            services.restore_folder(folder=folder, user=request.user)


def download_link(version):
    url = reverse("admin:documentos_documentoversion_download", args=[version.pk])
    return format_html('<a href="{}">{}</a>', url, _("Descargar v%(n)d") % {"n": version.version})


class DocumentoVersionInline(ScopedInline, admin.TabularInline):
    model = DocumentoVersion
    access_kind = Kind.DOCUMENTO_VERSION
    workspace_field = "proyecto__workspace_id"
    proyecto_field = "proyecto_id"
    fields = ("version", "size", "cambios", "created_by", "created_at", "descarga")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("created_by")

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description=_("tamaño"))
    def size(self, obj):
        return filesizeformat(obj.size_bytes)

    @admin.display(description=_("archivo"))
    def descarga(self, obj):
        return download_link(obj)


class DocumentoForm(forms.ModelForm):
    """The document's fields, plus its file: the first one on add, a new version on change."""

    archivo = forms.FileField(label=_("archivo"), required=False)
    cambios = forms.CharField(
        label=_("cambios de la nueva versión"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Qué cambia respecto de la versión anterior."),
    )

    class Meta:
        model = Documento
        fields = ("nombre", "proyecto", "folder", "tipo", "metadata")

    def clean(self):
        cleaned = super().clean()
        if self.instance._state.adding and not cleaned.get("archivo"):
            self.add_error("archivo", _("Suba el archivo del documento."))
        if (
            not self.instance._state.adding
            and cleaned.get("archivo")
            and not cleaned.get("cambios")
        ):
            self.add_error("cambios", _("Describa los cambios de la nueva versión."))
        return cleaned


@admin.register(Documento)
class DocumentoAdmin(ScopedModelAdmin):
    access_kind = Kind.DOCUMENTO
    workspace_field = "proyecto__workspace_id"
    proyecto_field = "proyecto_id"
    # A member's documents: each project read from documentos_proy_nombre_idx.
    reads_per_scope = True
    form = DocumentoForm
    list_display = (
        "nombre",
        "proyecto",
        "folder",
        "tipo",
        "formato",
        "version",
        "size",
        "created_by",
        "updated_at",
    )
    list_select_related = ("proyecto", "folder", "created_by")
    list_filter = ("tipo", "formato", TrashFilter)
    search_fields = ("nombre",)
    autocomplete_fields = ("proyecto", "folder")
    readonly_fields = (
        "formato",
        "version",
        "size_bytes",
        "descarga",
        "created_by",
        "created_at",
        "updated_at",
        "deleted_at",
    )
    inlines = (DocumentoVersionInline,)
    actions = ("restore_from_trash",)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("proyecto", "folder", "created_by")

    def get_fields(self, request, obj=None):
        fields = ["nombre", "proyecto", "folder", "tipo", "archivo"]
        if obj is not None:
            fields += ["cambios", "formato", "version", "size_bytes", "descarga", "metadata",
                       "created_by", "created_at", "updated_at", "deleted_at"]  # fmt: skip
        return fields

    @admin.display(description=_("tamaño"), ordering="size_bytes")
    def size(self, obj):
        return filesizeformat(obj.size_bytes)

    @admin.display(description=_("versión actual"))
    def descarga(self, obj):
        current = obj.versions.filter(version=obj.version).first()
        return download_link(current) if current else "-"

    def create(self, request, form):
        data = form.cleaned_data
        return services.upload_documento(
            proyecto=data["proyecto"],
            folder=data["folder"],
            nombre=data["nombre"],
            tipo=data["tipo"],
            file=data["archivo"],
            user=request.user,
        )

    def update(self, request, obj, form):
        # One change (fields and maybe a new version), one audit row.
        data = form.cleaned_data
        services.update_documento(
            documento=obj,
            user=request.user,
            file=data.get("archivo") or None,
            cambios=data.get("cambios", ""),
            **self.changed_fields(form, services.EDITABLE_FIELDS),
        )

    def delete(self, request, obj):
        services.discard_documento(documento=obj, user=request.user)

    @admin.action(description=_("Restaurar de la papelera"))
    def restore_from_trash(self, request, queryset):
        for documento in queryset.trashed():
            if not self.has_change_permission(request, documento):
                raise PermissionDenied
            services.restore_documento(documento=documento, user=request.user)


@admin.register(DocumentoVersion)
class DocumentoVersionAdmin(ScopedModelAdmin):
    """Versions are history: they are read here, and written only by new uploads."""

    access_kind = Kind.DOCUMENTO_VERSION
    workspace_field = "documento__proyecto__workspace_id"
    proyecto_field = "documento__proyecto_id"
    # A member's versions, in document order: read through their documents.
    lead_relation = "documento"

    list_display = ("documento", "version", "size", "created_by", "created_at")
    list_select_related = ("documento", "created_by")
    search_fields = ("documento__nombre",)
    readonly_fields = (
        "documento",
        "version",
        "storage_path",
        "size_bytes",
        "cambios",
        "created_by",
        "created_at",
    )

    def lead_estimate(self, proyectos):
        """The versions of these projects, from `proyecto_totales` (kept by the database)."""
        totals = ProyectoTotales.objects.filter(proyecto_id__in=proyectos)
        return totals.aggregate(n=Coalesce(Sum("versiones"), 0))["n"]

    @admin.display(description=_("tamaño"), ordering="size_bytes")
    def size(self, obj):
        return filesizeformat(obj.size_bytes)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    # Deleting stays allowed where the role allows it, so a document goes with its
    # versions; a single version alone is never deleted (no gaps in the history).
    actions = None

    def delete_view(self, request, object_id, extra_context=None):
        raise PermissionDenied

    def get_urls(self):
        download = path(
            "<uuid:object_id>/descargar/",
            self.admin_site.admin_view(self.download_view),
            name="documentos_documentoversion_download",
        )
        return [download, *super().get_urls()]

    def download_view(self, request, object_id):
        """The stored file, only to those who may read the document; never a public URL."""
        version = self.get_object(request, str(object_id))
        if version is None or not self.has_view_permission(request, version):
            raise Http404
        handle = storage().open(version.storage_path, "rb")
        name = version.documento.nombre
        return FileResponse(handle, as_attachment=True, filename=f"v{version.version}-{name}")
