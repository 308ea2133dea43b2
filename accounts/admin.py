"""Admin pages for users: Django's user admin on the guide's columns, written through services."""

from contextvars import ContextVar
from functools import partial

from axes.admin import AccessAttemptAdmin, AccessFailureLogAdmin, AccessLogAdmin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from django.http import HttpResponseRedirect
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts import services
from accounts.forms import (
    AdminPasswordChangeForm,
    UserChangeForm,
    UserCreationForm,
    password_status,
)
from accounts.models import User
from admin_kit.changelist import KeysetListMixin
from admin_kit.options import ScopedModelAdmin, ServiceDoorsMixin
from admin_kit.paginators import BoundedCountPaginator
from admin_kit.readable import ReadableDatesMixin
from core.permissions import access_for
from core.services import DomainError

# The request of the password page being handled in this thread: its form acts as its user.
_password_request = ContextVar("password_request")


class PasswordForm(AdminPasswordChangeForm):
    """Django's password form, saved by the `set_user_password` service (audited, no hash)."""

    def __init__(self, user, *args, actor, **kwargs):
        super().__init__(user, *args, **kwargs)
        self.actor = actor

    def save(self, commit=True):
        password = (
            self.cleaned_data["password1"] if self.cleaned_data["set_usable_password"] else None
        )
        return services.set_user_password(target=self.user, password=password, user=self.actor)


@admin.register(User)
class UserAdmin(KeysetListMixin, ReadableDatesMixin, ServiceDoorsMixin, DjangoUserAdmin):
    """Django's user admin (password page, creation form) on the guide's columns.

    Users are created and edited by platform owners and admins; the platform
    roles offered are those the user may grant (none above their own).
    """

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
    formfield_overrides = ScopedModelAdmin.formfield_overrides

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
        # Each team read from its own index and joined by UNION, the user among them: an
        # OR across both memberships joins them whole (13 ms at 10,000 users), and an OR
        # beside the UNION checks every user against it (3 ms), both growing with users.
        in_workspaces = User.objects.filter(
            workspace_memberships__workspace_id__in=access.workspace_ids()
        ).values("pk")
        in_proyectos = User.objects.filter(
            proyecto_memberships__proyecto_id__in=access.proyecto_ids()
        ).values("pk")
        themselves = User.objects.filter(pk=request.user.pk).values("pk")
        return queryset.filter(pk__in=in_workspaces.union(in_proyectos, themselves))

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

    def formfield_for_choice_field(self, db_field, request, **kwargs):
        if db_field.name == "rol_global":
            allowed = access_for(request.user).grantable_global_roles()
            kwargs["choices"] = [(v, label) for v, label in db_field.choices if v in allowed]
        return super().formfield_for_choice_field(db_field, request, **kwargs)

    def get_deleted_objects(self, objs, request):
        """List owned workspaces as protected, so the page explains what the database refuses."""
        to_delete, model_count, perms_needed, protected = super().get_deleted_objects(objs, request)
        owned = [workspace for user in objs for workspace in user.owned_workspaces.all()]
        return to_delete, model_count, perms_needed, [*protected, *owned]

    # -- writes, each through a service ------------------------------------------

    def create(self, request, form):
        data = form.cleaned_data
        return services.create_user(
            email=data["email"],
            nombre=data["nombre"],
            rol_global=data["rol_global"],
            password=data["password1"] if data.get("set_usable_password") else None,
            user=request.user,
        )

    def update(self, request, obj, form):
        services.update_user(
            target=obj, user=request.user, **self.changed_fields(form, services.EDITABLE_FIELDS)
        )

    def delete(self, request, obj):
        services.delete_user(target=obj, user=request.user)

    @property
    def change_password_form(self):
        return partial(PasswordForm, actor=_password_request.get().user)

    def user_change_password(self, request, id, form_url=""):
        token = _password_request.set(request)
        try:
            return self._through_services(super().user_change_password, request, id, form_url)
        except DomainError as error:
            self.message_user(request, error.sentence, messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())
        finally:
            _password_request.reset(token)


# Access follows the guide's roles (core.permissions), not Django's groups.
admin.site.unregister(Group)


# -- django-axes' records of login attempts and lockouts, in Spanish --------------
# The admin of django-axes' records (login attempts, lockouts, accesses), in Spanish. django-axes
# registers its own when AXES_ENABLE_ADMIN is on; these are the same pages with Spanish column
# names, read-only, for platform owners and admins.
@admin.register(AccessAttempt)
class IntentoAccesoAdmin(KeysetListMixin, ReadableDatesMixin, AccessAttemptAdmin):
    list_display = [
        "attempt_time",
        "ip_address",
        "user_agent",
        "username",
        "path_info",
        "failures_since_start",
        "status",
    ]

    @admin.display(description=_("caduca"))
    def expiration(self, obj):
        return super().expiration(obj)

    @admin.display(description=_("estado"))
    def status(self, obj):
        remaining = settings.AXES_FAILURE_LIMIT - obj.failures_since_start
        if remaining > 0:
            return ngettext("queda %(n)d intento", "quedan %(n)d intentos", remaining) % {
                "n": remaining
            }
        return _("Bloqueado")

    @admin.action(description=_("Borrar los intentos caducados"))
    def cleanup_expired_attempts(self, request, queryset):
        count = self.handler.clean_expired_user_attempts(request=request)
        self.message_user(
            request,
            ngettext(
                "Se borró %(n)d intento caducado.", "Se borraron %(n)d intentos caducados.", count
            )
            % {"n": count},
        )


@admin.register(AccessLog)
class RegistroAccesoAdmin(KeysetListMixin, ReadableDatesMixin, AccessLogAdmin):
    pass


@admin.register(AccessFailureLog)
class AccesoFallidoAdmin(KeysetListMixin, ReadableDatesMixin, AccessFailureLogAdmin):
    pass
