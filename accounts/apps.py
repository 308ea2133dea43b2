from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def remember_login(sender, request, user, **kwargs):
    """`last_login` is written by a service too (Django's own receiver would write around it)."""
    from accounts.services import record_login

    record_login(target=user)


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Cuentas")

    def ready(self):
        from django.contrib.auth.models import update_last_login
        from django.contrib.auth.signals import user_logged_in

        user_logged_in.disconnect(update_last_login, dispatch_uid="update_last_login")
        user_logged_in.connect(remember_login, dispatch_uid="accounts_remember_login")
