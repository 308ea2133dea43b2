"""Admin forms for users: create with a password, change without ever showing it."""

from django.contrib.auth import forms as auth_forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from accounts.models import User


class UserCreationForm(auth_forms.AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email", "nombre", "rol_global")


class UserChangeForm(auth_forms.UserChangeForm):
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
