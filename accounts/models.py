"""The people who use PILi Quarts: the `users` table, with email login."""

import unicodedata

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from core.db import TimestampedModel, choices_check, empty_json, uuid_primary_key
from core.roles import ADMIN_ROLES, RolGlobal


def login_identity(username):
    """The account a typed login names: surrounding spaces, Unicode forms and letter case
    do not matter (the login form strips and NFKC-normalises, the lookup lowers).

    Authentication looks users up by it and django-axes counts failures under it,
    so no spelling of an email gets guesses of its own.
    """
    return unicodedata.normalize("NFKC", username.strip()).strip().lower()


class UserManager(BaseUserManager):
    use_in_migrations = True

    def get_by_natural_key(self, username):
        # Emails are unique case-insensitively; this lookup uses that unique index.
        return self.alias(email_lower=Lower("email")).get(email_lower=login_identity(username))

    def create_user(self, email, password=None, **fields):
        if not email:
            raise ValueError("Users must have an email address.")
        user = self.model(email=self.normalize_email(email), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email, password=None, **fields):
        fields.setdefault("rol_global", RolGlobal.OWNER)
        return self.create_user(email, password, **fields)


class User(AbstractBaseUser, TimestampedModel):
    """A person with an email login; `rol_global` is their platform-wide role.

    The password hash lives in the guide's `password_hash` column. Emails are
    unique regardless of case. Every active user may enter the admin, where
    `core.permissions` decides what they see and do.
    """

    id = uuid_primary_key()
    email = models.EmailField(_("correo electrónico"), max_length=255)
    nombre = models.CharField(_("nombre"), max_length=255)
    password = models.CharField(_("contraseña"), max_length=128, db_column="password_hash")
    rol_global = models.CharField(
        _("rol global"),
        max_length=20,
        choices=RolGlobal,
        default=RolGlobal.MEMBER,
        db_default=RolGlobal.MEMBER,
    )
    email_verified = models.BooleanField(_("correo verificado"), default=False, db_default=False)
    avatar_url = models.URLField(
        _("URL del avatar"), max_length=500, blank=True, default="", db_default=""
    )
    settings = empty_json(_("preferencias"))

    objects = UserManager()

    EMAIL_FIELD = "email"
    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = ["nombre"]

    class Meta:
        db_table = "users"
        verbose_name = _("usuario")
        verbose_name_plural = _("usuarios")
        ordering = ["email"]
        indexes = [
            # The admin's list in its order (email, then Django's tie-break: -pk), read
            # from the index instead of sorting every user for each page.
            models.Index(fields=["email", "-id"], name="users_email_order_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                name="users_email_ci_unique",
                violation_error_message=_("Ya existe un usuario con este correo electrónico."),
            ),
            choices_check(
                "rol_global",
                RolGlobal,
                name="users_rol_global_valid",
                message=_("El rol global no es válido."),
            ),
        ]

    def __str__(self):
        return self.email

    @property
    def is_staff(self):
        """Everyone may enter the admin; what they see there follows their roles."""
        return self.is_active

    @property
    def is_superuser(self):
        """Platform owners and admins manage everything."""
        return self.is_active and self.rol_global in ADMIN_ROLES

    def has_perm(self, perm, obj=None):
        # Pages scoped by memberships ask core.permissions instead of this.
        return self.is_superuser

    def has_perms(self, perm_list, obj=None):
        return all(self.has_perm(perm, obj) for perm in perm_list)

    def has_module_perms(self, app_label):
        return self.is_staff

    def get_full_name(self):
        return self.nombre

    def get_short_name(self):
        return self.nombre
