"""Roles of the guide's three columns: on the platform, in a workspace, in a project.

Ordered from the most to the least (the permission tables and "nobody grants a
role above their own" read that order). The models' `rol` columns take their
choices from here.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class RolGlobal(models.TextChoices):
    OWNER = "owner", _("Propietario")
    ADMIN = "admin", _("Administrador")
    MEMBER = "member", _("Miembro")
    VIEWER = "viewer", _("Lector")
    GUEST = "guest", _("Invitado")


#: Platform roles that may enter the admin and manage everything.
ADMIN_ROLES = frozenset({RolGlobal.OWNER, RolGlobal.ADMIN})


class WorkspaceRol(models.TextChoices):
    OWNER = "owner", _("Propietario")
    ADMIN = "admin", _("Administrador")
    MEMBER = "member", _("Miembro")
    VIEWER = "viewer", _("Lector")


class ProyectoRol(models.TextChoices):
    GERENTE = "gerente", _("Gerente")
    INGENIERO = "ingeniero", _("Ingeniero")
    TECNICO = "tecnico", _("Técnico")
    VIEWER = "viewer", _("Lector")
