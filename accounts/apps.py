"""Accounts' app config (login bookkeeping through a service), and django-axes' in Spanish."""

from axes.apps import AppConfig as BaseAxesConfig
from django.apps import AppConfig
from django.utils import formats, timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Cuentas")
    default = True  # this module also holds django-axes' config

    def ready(self):
        # Models are ready only now: what needs them is imported here.
        from django.contrib.auth.models import update_last_login
        from django.contrib.auth.signals import user_logged_in

        from accounts.services import remember_login

        # `last_login` is written by a service too; Django's own receiver writes around it.
        user_logged_in.disconnect(update_last_login, dispatch_uid="update_last_login")
        user_logged_in.connect(remember_login, dispatch_uid="accounts_remember_login")


def _when(moment):
    return formats.date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT")


def _attempt_str(attempt):
    return gettext("Intento de acceso de %(user)s, %(when)s") % {
        "user": attempt.username or "-",
        "when": _when(attempt.attempt_time),
    }


def _log_str(log):
    return gettext("Acceso de %(user)s, %(when)s") % {
        "user": log.username or "-",
        "when": _when(log.attempt_time),
    }


def _failure_str(failure):
    text = gettext("Acceso fallido de %(user)s desde %(ip)s, %(when)s") % {
        "user": failure.username or "-",
        "ip": failure.ip_address or "-",
        "when": _when(failure.attempt_time),
    }
    return text + (gettext(" (bloqueado)") if failure.locked_out else "")


class AxesConfig(BaseAxesConfig):
    """django-axes, named in Spanish in the admin.

    Its rows describe themselves in English f-strings that no catalogue can
    translate ("Attempted Access: ..."); the admin shows them as page titles and
    breadcrumbs, so they are replaced here by Spanish ones.
    """

    verbose_name = _("Protección del acceso")

    def ready(self):
        super().ready()
        from axes.models import AccessAttempt, AccessFailureLog, AccessLog

        AccessAttempt.__str__ = _attempt_str
        AccessLog.__str__ = _log_str
        AccessFailureLog.__str__ = _failure_str
