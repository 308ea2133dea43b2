"""Email login for the admin and anything else that authenticates."""

from django.conf import settings
from django.contrib.auth.backends import ModelBackend

from accounts.models import login_identity


class EmailBackend(ModelBackend):
    """Logs a user in by email in any letter case, and password.

    The lookup is `UserManager.get_by_natural_key`, served by the unique index
    on `lower(email)`; permissions come from `User.has_perm`, not Django's tables.
    """

    def get_user_permissions(self, user_obj, obj=None):
        return set()

    def get_group_permissions(self, user_obj, obj=None):
        return set()


def lockout_username(request, credentials=None):
    """The name django-axes counts failed logins under (`AXES_USERNAME_CALLABLE`).

    The same identity `EmailBackend` logs in, so `ADMIN@example.com `, `admin@example.com`
    and every other spelling share one count and one lockout.
    """
    field = settings.AXES_USERNAME_FORM_FIELD
    username = (credentials or {}).get(field)
    if username is None and request is not None:
        username = getattr(request, "data", request.POST).get(field)
    return login_identity(username) if isinstance(username, str) else username
