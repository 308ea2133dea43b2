"""Admin pages for folders, documents and their versions."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from accounts.admin_scope import ScopedInline, ScopedModelAdmin
from accounts.permissions import Kind
from documentos import services
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


@admin.register(Folder)
class FolderAdmin(ScopedModelAdmin):
    access_kind = Kind.FOLDER
    workspace_field = "proyecto__workspace_id"
    proyecto_field = "proyecto_id"
    list_display = ("path", "proyecto", "updated_at")
    list_select_related = ("proyecto",)
    search_fields = ("nombre", "path")
    autocomplete_fields = ("proyecto", "parent")
    fields = ("proyecto", "parent", "nombre", "path", "created_at", "updated_at")
    readonly_fields = ("path", "created_at", "updated_at")
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


class DocumentoVersionInline(ScopedInline, admin.TabularInline):
    model = DocumentoVersion
    access_kind = Kind.DOCUMENTO_VERSION
    workspace_field = "proyecto__workspace_id"
    proyecto_field = "proyecto_id"
    fields = ("version", "size", "cambios", "created_by", "created_at")
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


@admin.register(Documento)
class DocumentoAdmin(ScopedModelAdmin):
    access_kind = Kind.DOCUMENTO
    workspace_field = "proyecto__workspace_id"
    proyecto_field = "proyecto_id"
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
    list_filter = ("tipo", "formato")
    search_fields = ("nombre",)
    autocomplete_fields = ("proyecto", "folder")
    readonly_fields = (
        "version",
        "size_bytes",
        "storage_path",
        "created_by",
        "created_at",
        "updated_at",
    )
    inlines = (DocumentoVersionInline,)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("proyecto", "folder", "created_by")

    @admin.display(description=_("tamaño"), ordering="size_bytes")
    def size(self, obj):
        return filesizeformat(obj.size_bytes)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


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
