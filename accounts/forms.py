"""Admin forms for users: create with a password, change without ever showing it."""

from django import forms
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.utils.html import format_html
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from accounts.models import User


def password_status(password_hash):
    """Whether a password is set: all a page says about it, never the hash or its parameters."""
    if password_hash and not password_hash.startswith(UNUSABLE_PASSWORD_PREFIX):
        return _("Contraseña establecida.")
    return _("Sin contraseña: no puede iniciar sesión con una.")


class PasswordStatusWidget(forms.Widget):
    """Django's ReadOnlyPasswordHashWidget without the hash summary (algorithm, cost,
    salt and hash prefixes): the status, and the link to the password change page."""

    def render(self, name, value, attrs=None, renderer=None):
        usable = value and not value.startswith(UNUSABLE_PASSWORD_PREFIX)
        return format_html(
            '<div id="{}"><p><strong>{}</strong></p>'
            '<p><a role="button" class="button" href="../password/">{}</a></p></div>',
            (attrs or {}).get("id", ""),
            password_status(value),
            _("Cambiar la contraseña") if usable else _("Establecer una contraseña"),
        )

    def id_for_label(self, id_):
        return None


class UserCreationForm(auth_forms.AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email", "nombre", "rol_global")


class UserChangeForm(auth_forms.UserChangeForm):
    password = auth_forms.ReadOnlyPasswordHashField(
        label=_("Contraseña"),
        widget=PasswordStatusWidget,
        help_text=_("Las contraseñas no se guardan en claro: nadie puede verlas."),
    )

    class Meta:
        model = User
        fields = "__all__"


class AdminPasswordChangeForm(auth_forms.AdminPasswordChangeForm):
    # Django appends this warning in English, outside its catalogue.
    usable_password_help_text = format_lazy(
        '{}<ul id="id_unusable_warning" class="messagelist"><li class="warning">{}</li></ul>',
        auth_forms.SetUnusablePasswordMixin.usable_password_help_text,
        _("Si lo desactiva, se perderá la contraseña actual de este usuario."),
    )
