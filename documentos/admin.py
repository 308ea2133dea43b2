"""Admin pages for folders, documents and their versions."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.template.defaultfilters import filesizeformat
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from accounts.admin_scope import ScopedInline, ScopedModelAdmin
from accounts.permissions import Kind
from documentos import selectors, services
from documentos.models import Documento, DocumentoVersion, Folder


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

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            services.update_folder(
                folder=obj, nombre=data["nombre"], parent=data["parent"], user=request.user
            )
        else:
            created = services.create_folder(
                proyecto=data["proyecto"],
                parent=data["parent"],
                nombre=data["nombre"],
                user=request.user,
            )
            obj.pk, obj.path = created.pk, created.path
            obj._state.adding = False

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

    def delete_model(self, request, obj):
        """Deleting moves to the trash; deleting from the trash removes for good."""
        obj.refresh_from_db(fields=["deleted_at"])
        if obj.deleted_at is None:
            services.trash_folder(folder=obj, user=request.user)
        else:
            services.delete_folder(folder=obj, user=request.user)

    def delete_queryset(self, request, queryset):
        # A chosen folder under another chosen folder goes with that one, not on its own.
        chosen = list(queryset)
        paths = {(folder.proyecto_id, folder.path) for folder in chosen}
        roots = [
            folder.pk
            for folder in chosen
            if not any(
                (folder.proyecto_id, path) in paths
                for path in selectors.ancestor_paths(folder.path)
            )
        ]
        super().delete_queryset(request, queryset.filter(pk__in=roots))

    @admin.action(description=_("Restaurar de la papelera"))
    def restore_from_trash(self, request, queryset):
        for folder in queryset.trashed():
            if self.has_change_permission(request, folder):
                try:
                    services.restore_folder(folder=folder, user=request.user)
                except ValidationError as error:
                    self.message_user(request, f"{folder}: {error.messages[0]}", messages.ERROR)


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

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if not change:
            created = services.upload_documento(
                proyecto=data["proyecto"],
                folder=data["folder"],
                nombre=data["nombre"],
                tipo=data["tipo"],
                file=data["archivo"],
                user=request.user,
            )
            obj.pk = created.pk
            obj._state.adding = False
            return
        # One change (fields and maybe a new version), one audit row.
        services.update_documento(
            documento=obj,
            user=request.user,
            file=data.get("archivo") or None,
            cambios=data.get("cambios", ""),
            **{
                name: data[name]
                for name in services.DOCUMENTO_EDITABLE_FIELDS
                if name in data and name in form.changed_data
            },
        )

    def delete_model(self, request, obj):
        """Deleting moves to the trash; deleting from the trash removes for good."""
        obj.refresh_from_db(fields=["deleted_at"])
        if obj.deleted_at is None:
            services.trash_documento(documento=obj, user=request.user)
        else:
            services.delete_documento(documento=obj, user=request.user)

    @admin.action(description=_("Restaurar de la papelera"))
    def restore_from_trash(self, request, queryset):
        for documento in queryset.trashed():
            if self.has_change_permission(request, documento):
                try:
                    services.restore_documento(documento=documento, user=request.user)
                except ValidationError as error:
                    self.message_user(request, f"{documento}: {error.messages[0]}", messages.ERROR)


@admin.register(DocumentoVersion)
class DocumentoVersionAdmin(ScopedModelAdmin):
    """Versions are history: they are read here, and written only by new uploads."""

    access_kind = Kind.DOCUMENTO_VERSION
    workspace_field = "documento__proyecto__workspace_id"
    proyecto_field = "documento__proyecto_id"

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
        handle = services.storage().open(version.storage_path, "rb")
        name = version.documento.nombre
        return FileResponse(handle, as_attachment=True, filename=f"v{version.version}-{name}")
