"""Admin pages for users."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.admin_scope import AuditedAdminMixin, ScopedModelAdmin
from accounts.forms import UserChangeForm, UserCreationForm, password_status
from accounts.models import User
from accounts.permissions import access_for
from piliquarts.paginators import BoundedCountPaginator
from proyectos.models import ProyectoMember
from workspaces.models import Workspace, WorkspaceMember


@admin.register(User)
class UserAdmin(AuditedAdminMixin, DjangoUserAdmin):
    """Django's user admin (password change view, creation form) on the guide's columns."""

    form = UserChangeForm
    add_form = UserCreationForm
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Perfil"), {"fields": ("nombre", "avatar_url", "settings")}),
        (_("Acceso"), {"fields": ("rol_global", "email_verified")}),
        (_("Fechas"), {"fields": ("last_login", "created_at", "updated_at")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": (
                    "email",
                    "nombre",
                    "rol_global",
                    "usable_password",
                    "password1",
                    "password2",
                ),
            },
        ),
    )
    readonly_fields = ("last_login", "created_at", "updated_at")
    list_display = ("email", "nombre", "rol_global", "email_verified", "last_login")
    list_filter = ("rol_global", "email_verified")
    search_fields = ("email", "nombre")
    ordering = ("email",)
    filter_horizontal = ()
    paginator = BoundedCountPaginator
    show_full_result_count = False
    list_per_page = ScopedModelAdmin.list_per_page

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or self.has_change_permission(request, obj):
            return fieldsets
        # A read-only page renders the `password` column as its hash summary (Django's
        # display_for_field): show only whether one is set.
        return [
            (
                name,
                {**opts, "fields": [f if f != "password" else "password_status" for f in fields]},
            )
            for name, opts in fieldsets
            for fields in [opts["fields"]]
        ]

    @admin.display(description=_("Contraseña"))
    def password_status(self, obj):
        return password_status(obj.password)

    def get_queryset(self, request):
        """Platform admins see everyone; others see themselves and the people they work with."""
        queryset = super().get_queryset(request)
        access = access_for(request.user)
        if access.is_platform_admin:
            return queryset
        return queryset.filter(
            Q(pk=request.user.pk)
            | Q(
                pk__in=WorkspaceMember.objects.filter(
                    workspace_id__in=access.workspace_ids()
                ).values("user_id")
            )
            | Q(
                pk__in=ProyectoMember.objects.filter(proyecto_id__in=access.proyecto_ids()).values(
                    "user_id"
                )
            )
        )

    def has_module_permission(self, request):
        return request.user.is_active

    def has_view_permission(self, request, obj=None):
        return request.user.is_active

    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser

    def get_deleted_objects(self, objs, request):
        """List owned workspaces as protected, so the page explains what the database refuses."""
        to_delete, model_count, perms_needed, protected = super().get_deleted_objects(objs, request)
        owned = Workspace.objects.filter(owner__in=objs).select_related("owner")
        protected = [*protected, *owned]
        return to_delete, model_count, perms_needed, protected


# Access follows the guide's roles (accounts.permissions), not Django's groups.
admin.site.unregister(Group)
