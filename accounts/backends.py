"""Email login for the admin and anything else that authenticates."""

from django.contrib.auth.backends import ModelBackend


class EmailBackend(ModelBackend):
    """Logs a user in by email in any letter case, and password.

    The lookup is `UserManager.get_by_natural_key`, served by the unique index
    on `lower(email)`; permissions come from `User.has_perm`, not Django's tables.
    """

    def get_user_permissions(self, user_obj, obj=None):
        return set()

    def get_group_permissions(self, user_obj, obj=None):
        return set()
