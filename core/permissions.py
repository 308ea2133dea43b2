"""Who may see and do what: the guide's three role columns, applied in one place.

A user's reach comes from their memberships: `workspace_members.rol` over a
whole workspace, `proyecto_members.rol` over one project. `users.rol_global`
sets the frame: owner and admin manage everything; viewer and guest are
read-only; a guest sees only the projects they are a member of.
"""

from dataclasses import dataclass, field
from enum import StrEnum

from django.db.models import Q

from core.roles import ADMIN_ROLES, ProyectoRol, RolGlobal, WorkspaceRol


class Action(StrEnum):
    VIEW = "view"
    ADD = "add"
    CHANGE = "change"
    DELETE = "delete"


class Kind(StrEnum):
    """What a permission is about; each model of the admin is one kind."""

    USER = "user"
    WORKSPACE = "workspace"
    WORKSPACE_MEMBER = "workspace_member"
    PROYECTO = "proyecto"
    PROYECTO_MEMBER = "proyecto_member"
    FOLDER = "folder"
    DOCUMENTO = "documento"
    DOCUMENTO_VERSION = "documento_version"
    ACTIVIDAD = "actividad"


VIEW = frozenset({Action.VIEW})
ALL = frozenset(Action)
EDIT = frozenset({Action.VIEW, Action.ADD, Action.CHANGE})
CONTENT = (Kind.FOLDER, Kind.DOCUMENTO, Kind.DOCUMENTO_VERSION)

# What each workspace role may do to each kind of thing inside its workspace.
WORKSPACE_ROLES = {
    WorkspaceRol.OWNER: {
        Kind.WORKSPACE: frozenset({Action.VIEW, Action.CHANGE, Action.DELETE}),
        Kind.WORKSPACE_MEMBER: ALL,
        Kind.PROYECTO: ALL,
        Kind.PROYECTO_MEMBER: ALL,
        **dict.fromkeys(CONTENT, ALL),
        Kind.ACTIVIDAD: VIEW,
        Kind.USER: VIEW,
    },
    WorkspaceRol.ADMIN: {
        Kind.WORKSPACE: frozenset({Action.VIEW, Action.CHANGE}),
        Kind.WORKSPACE_MEMBER: ALL,
        Kind.PROYECTO: ALL,
        Kind.PROYECTO_MEMBER: ALL,
        **dict.fromkeys(CONTENT, ALL),
        Kind.ACTIVIDAD: VIEW,
        Kind.USER: VIEW,
    },
    WorkspaceRol.MEMBER: {
        Kind.WORKSPACE: VIEW,
        Kind.WORKSPACE_MEMBER: VIEW,
        Kind.PROYECTO: EDIT,
        Kind.PROYECTO_MEMBER: VIEW,
        **dict.fromkeys(CONTENT, EDIT),
        Kind.ACTIVIDAD: VIEW,
        Kind.USER: VIEW,
    },
    WorkspaceRol.VIEWER: dict.fromkeys(Kind, VIEW),
}

# What each project role may do to each kind of thing inside its project.
PROYECTO_ROLES = {
    ProyectoRol.GERENTE: {
        Kind.PROYECTO: frozenset({Action.VIEW, Action.CHANGE, Action.DELETE}),
        Kind.PROYECTO_MEMBER: ALL,
        **dict.fromkeys(CONTENT, ALL),
        Kind.ACTIVIDAD: VIEW,
        Kind.USER: VIEW,
    },
    ProyectoRol.INGENIERO: {
        Kind.PROYECTO: VIEW,
        Kind.PROYECTO_MEMBER: VIEW,
        **dict.fromkeys(CONTENT, ALL),
        Kind.ACTIVIDAD: VIEW,
        Kind.USER: VIEW,
    },
    ProyectoRol.TECNICO: {
        Kind.PROYECTO: VIEW,
        Kind.PROYECTO_MEMBER: VIEW,
        Kind.FOLDER: VIEW,
        Kind.DOCUMENTO: frozenset({Action.VIEW, Action.ADD}),
        Kind.DOCUMENTO_VERSION: frozenset({Action.VIEW, Action.ADD}),
        Kind.ACTIVIDAD: VIEW,
        Kind.USER: VIEW,
    },
    ProyectoRol.VIEWER: {
        kind: VIEW for kind in Kind if kind not in (Kind.WORKSPACE, Kind.WORKSPACE_MEMBER)
    },
}

# Who outranks whom, in each column: nobody grants a role above their own.
GLOBAL_RANK = dict(zip(reversed(RolGlobal), range(len(RolGlobal)), strict=True))
WORKSPACE_RANK = dict(zip(reversed(WorkspaceRol), range(len(WorkspaceRol)), strict=True))
PROYECTO_RANK = dict(zip(reversed(ProyectoRol), range(len(ProyectoRol)), strict=True))
# A workspace owner or admin manages every project of the workspace, whatever its roles.
WORKSPACE_ROLES_OVER_PROYECTOS = frozenset({WorkspaceRol.OWNER, WorkspaceRol.ADMIN})

READ_ONLY_GLOBAL_ROLES = frozenset({RolGlobal.VIEWER, RolGlobal.GUEST})


@dataclass
class Access:
    """One user's memberships, loaded once (two small queries) and asked many times."""

    user: object
    workspace_roles: dict = field(default_factory=dict)  # workspace_id -> rol
    proyecto_roles: dict = field(default_factory=dict)  # proyecto_id -> (workspace_id, rol)

    @property
    def is_platform_admin(self):
        return self.user.is_active and self.user.rol_global in ADMIN_ROLES

    @property
    def read_only(self):
        return self.user.rol_global in READ_ONLY_GLOBAL_ROLES

    @property
    def is_guest(self):
        return self.user.rol_global == RolGlobal.GUEST

    # -- what the user may do to one thing ---------------------------------

    def allowed(self, kind, *, workspace_id=None, proyecto_id=None):
        """The actions allowed on a `kind` thing of that workspace and/or project."""
        if self.is_platform_admin:
            return ALL
        actions = set()
        if not self.is_guest and workspace_id in self.workspace_roles:
            actions |= WORKSPACE_ROLES[self.workspace_roles[workspace_id]].get(kind, set())
        if proyecto_id in self.proyecto_roles:
            actions |= PROYECTO_ROLES[self.proyecto_roles[proyecto_id][1]].get(kind, set())
        if self.read_only:
            actions &= VIEW
        return frozenset(actions)

    def can(self, action, kind, *, workspace_id=None, proyecto_id=None):
        return action in self.allowed(kind, workspace_id=workspace_id, proyecto_id=proyecto_id)

    def can_anywhere(self, action, kind):
        """May the user do `action` to some `kind` thing (to offer the add button, say)?"""
        if self.is_platform_admin:
            return True
        return any(self.can(action, kind, workspace_id=ws) for ws in self.workspace_roles) or any(
            self.can(action, kind, workspace_id=ws, proyecto_id=p)
            for p, (ws, _rol) in self.proyecto_roles.items()
        )

    # -- which roles the user may give (and take) ---------------------------

    def grantable_global_roles(self):
        """Platform roles this user may give or take: none but for platform admins, up to theirs."""
        if not self.is_platform_admin:
            return frozenset()
        own = GLOBAL_RANK[self.user.rol_global]
        return frozenset(rol for rol, rank in GLOBAL_RANK.items() if rank <= own)

    def grantable_workspace_roles(self, workspace_id):
        """Workspace roles this user may give, change or take away in that workspace."""
        if self.is_platform_admin:
            return frozenset(WorkspaceRol)
        if not self.can(Action.CHANGE, Kind.WORKSPACE_MEMBER, workspace_id=workspace_id):
            return frozenset()
        own = WORKSPACE_RANK[self.workspace_roles[workspace_id]]
        return frozenset(rol for rol, rank in WORKSPACE_RANK.items() if rank <= own)

    def grantable_proyecto_roles(self, workspace_id, proyecto_id):
        """Project roles this user may give, change or take away in that project."""
        scope = {"workspace_id": workspace_id, "proyecto_id": proyecto_id}
        if self.is_platform_admin:
            return frozenset(ProyectoRol)
        if not self.can(Action.CHANGE, Kind.PROYECTO_MEMBER, **scope):
            return frozenset()
        if not self.is_guest and self.workspace_roles.get(workspace_id) in (
            WORKSPACE_ROLES_OVER_PROYECTOS
        ):
            return frozenset(ProyectoRol)
        own = PROYECTO_RANK[self.proyecto_roles[proyecto_id][1]]
        return frozenset(rol for rol, rank in PROYECTO_RANK.items() if rank <= own)

    def may_transfer(self, workspace):
        """Only a workspace's owner, or a platform owner or admin, hands it to someone else."""
        return self.is_platform_admin or (self.user.pk == workspace.owner_id and not self.read_only)

    # -- which rows the user may see or act on -----------------------------

    def workspace_ids(self, action=Action.VIEW, kind=Kind.WORKSPACE):
        return [ws for ws in self.workspace_roles if self.can(action, kind, workspace_id=ws)]

    def proyecto_ids(self, action=Action.VIEW, kind=Kind.PROYECTO):
        return [
            p
            for p, (ws, _rol) in self.proyecto_roles.items()
            if self.can(action, kind, workspace_id=ws, proyecto_id=p)
        ]

    def filter_q(self, kind, *, workspace_field, proyecto_field=None, action=Action.VIEW):
        """A Q selecting the rows of `kind` the user may `action` (None: every row)."""
        if self.is_platform_admin:
            return None
        q = Q(pk__in=[])
        workspaces = self.workspace_ids(action, kind)
        if workspaces and workspace_field:
            q |= Q(**{f"{workspace_field}__in": workspaces})
        if proyecto_field:
            proyectos = self.proyecto_ids(action, kind)
            if proyectos:
                q |= Q(**{f"{proyecto_field}__in": proyectos})
        return q


def access_for(user, *, fresh=False):
    """The user's `Access`, cached on the user object for the rest of the request.

    Services ask for a `fresh` one: a role changed earlier in the same request counts.
    """
    cached = getattr(user, "_access", None)
    if cached is not None and not fresh:
        return cached
    access = Access(user=user)
    # Platform admins reach everything: their memberships change nothing. The memberships
    # are read through the user's own relations (workspace_members, proyecto_members).
    if user.is_authenticated and user.is_active and not access.is_platform_admin:
        access.workspace_roles = dict(user.workspace_memberships.values_list("workspace_id", "rol"))
        access.proyecto_roles = {
            proyecto_id: (workspace_id, rol)
            for proyecto_id, workspace_id, rol in user.proyecto_memberships.values_list(
                "proyecto_id", "proyecto__workspace_id", "rol"
            )
        }
    user._access = access
    return access


def may_grant_global(user, rol):
    return rol in access_for(user).grantable_global_roles()
