"""The demo data set: users, a workspace, projects and folders read from `fixtures/*.json`.

Loading is idempotent: rows are found by their natural keys (email, slug,
project name in its workspace, folder path) and only what is missing is
created. Existing passwords are kept unless a reset is asked for.
"""

import json
from collections import Counter
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction

from accounts import services as accounts_services
from accounts.models import User
from core.services import DomainError
from documentos import services as documentos_services
from documentos.models import Folder
from proyectos import services as proyectos_services
from proyectos.models import Proyecto, ProyectoMember
from workspaces import services as workspaces_services
from workspaces.models import Workspace, WorkspaceMember

FIXTURES_DIR = Path(settings.BASE_DIR) / "fixtures"
SECTIONS = ("users", "workspaces", "proyectos")


class DemoDataError(Exception):
    """The fixtures are inconsistent or invalid; nothing was written."""


def read_fixtures(paths=None):
    """Merge the sections of every fixture file (all of `fixtures/*.json` by default)."""
    paths = sorted(FIXTURES_DIR.glob("*.json")) if paths is None else [Path(p) for p in paths]
    if not paths:
        raise DemoDataError(f"No fixture files found in {FIXTURES_DIR}.")
    data = {section: [] for section in SECTIONS}
    for path in paths:
        try:
            content = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise DemoDataError(f"{path}: {exc}") from exc
        unknown = set(content) - set(SECTIONS)
        if unknown:
            raise DemoDataError(f"{path}: unknown sections {sorted(unknown)}.")
        for section in SECTIONS:
            data[section].extend(content.get(section, []))
    return data


def load_demo_data(data, *, reset_passwords=False):
    """Create what is missing from `data`; return a Counter of rows created per table.

    Every row is written by the services, as from any other door: with its rules
    and audit rows. All or nothing.
    """
    created = Counter()
    try:
        with transaction.atomic():
            users = {
                spec["email"].lower(): _load_user(spec, reset_passwords, created)
                for spec in data["users"]
            }
            workspaces = {
                spec["slug"]: _load_workspace(spec, users, created) for spec in data["workspaces"]
            }
            for spec in data["proyectos"]:
                _load_proyecto(spec, users, workspaces, created)
    except (ValidationError, DomainError) as exc:
        raise DemoDataError(f"Invalid demo data: {exc}") from exc
    except KeyError as exc:
        raise DemoDataError(f"Demo data is missing or refers to an unknown {exc}.") from exc
    return created


def _lookup(mapping, key, what):
    try:
        return mapping[key]
    except KeyError:
        raise DemoDataError(f"Demo data refers to unknown {what} {key!r}.") from None


def _load_user(spec, reset_passwords, created):
    user = User.objects.filter(email__iexact=spec["email"]).first()
    if user is None:
        user = accounts_services.create_user(
            email=spec["email"],
            nombre=spec["nombre"],
            password=spec["password"],
            rol_global=spec.get("rol_global", User._meta.get_field("rol_global").default),
            email_verified=spec.get("email_verified", False),
        )
        created[User._meta.db_table] += 1
    elif reset_passwords:
        accounts_services.set_user_password(target=user, password=spec["password"])
    return user


def _load_workspace(spec, users, created):
    workspace = Workspace.objects.filter(slug=spec["slug"]).first()
    if workspace is None:
        workspace = workspaces_services.create_workspace(
            slug=spec["slug"],
            nombre=spec["nombre"],
            owner=_lookup(users, spec["owner"].lower(), "user"),
            **{key: spec[key] for key in ("plan", "descripcion") if key in spec},
        )
        created[Workspace._meta.db_table] += 1
        created[WorkspaceMember._meta.db_table] += 1  # the owner's membership
    for member in spec.get("members", []):
        user = _lookup(users, member["user"].lower(), "user")
        if not WorkspaceMember.objects.filter(workspace=workspace, user=user).exists():
            workspaces_services.add_workspace_member(
                workspace=workspace, member=user, rol=member["rol"]
            )
            created[WorkspaceMember._meta.db_table] += 1
    return workspace


def _load_proyecto(spec, users, workspaces, created):
    workspace = _lookup(workspaces, spec["workspace"], "workspace")
    proyecto = Proyecto.objects.filter(workspace=workspace, nombre=spec["nombre"]).first()
    if proyecto is None:
        fields = {
            key: spec[key]
            for key in ("descripcion", "tipo", "estado", "fecha_inicio", "fecha_fin",
                        "presupuesto", "metadata")
            if key in spec
        }  # fmt: skip
        proyecto = proyectos_services.create_proyecto(
            workspace=workspace, nombre=spec["nombre"], **fields
        )
        created[Proyecto._meta.db_table] += 1
    for member in spec.get("members", []):
        user = _lookup(users, member["user"].lower(), "user")
        if not ProyectoMember.objects.filter(proyecto=proyecto, user=user).exists():
            proyectos_services.add_proyecto_member(
                proyecto=proyecto, member=user, rol=member["rol"]
            )
            created[ProyectoMember._meta.db_table] += 1
    for path in spec.get("folders", []):
        _load_folder_path(proyecto, path, created)
    return proyecto


def _load_folder_path(proyecto, path, created):
    """Create each missing folder along `path` ("Planos/Estructura")."""
    parent = None
    for nombre in path.strip("/").split("/"):
        folder = Folder.objects.filter(proyecto=proyecto, parent=parent, nombre=nombre).first()
        if folder is None:
            folder = documentos_services.create_folder(
                proyecto=proyecto, parent=parent, nombre=nombre
            )
            created[Folder._meta.db_table] += 1
        parent = folder
