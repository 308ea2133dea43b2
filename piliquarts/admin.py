"""The admin of django-axes' records (login attempts, lockouts, accesses), in Spanish.

django-axes registers its own when AXES_ENABLE_ADMIN is on; these are the same
pages with Spanish column names, read-only, for platform owners and admins.
"""

from axes.admin import AccessAttemptAdmin, AccessFailureLogAdmin, AccessLogAdmin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings
from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from piliquarts.readable import ReadableDatesMixin


@admin.register(AccessAttempt)
class IntentoAccesoAdmin(ReadableDatesMixin, AccessAttemptAdmin):
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
class RegistroAccesoAdmin(ReadableDatesMixin, AccessLogAdmin):
    pass


@admin.register(AccessFailureLog)
class AccesoFallidoAdmin(ReadableDatesMixin, AccessFailureLogAdmin):
    pass
