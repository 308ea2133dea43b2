"""Admin pages for users."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from accounts.forms import UserChangeForm, UserCreationForm
from accounts.models import User
from workspaces.models import Workspace


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
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

    def get_deleted_objects(self, objs, request):
        """List owned workspaces as protected, so the page explains what the database refuses."""
        to_delete, model_count, perms_needed, protected = super().get_deleted_objects(objs, request)
        owned = Workspace.objects.filter(owner__in=objs).select_related("owner")
        protected = [*protected, *owned]
        return to_delete, model_count, perms_needed, protected
