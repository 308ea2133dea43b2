"""The registry of audit events: each stable code, its guide columns and its Spanish sentence.

An audit row's `metadata["evento"]` is one of these codes, so a program can
filter on it; `tipo` and `entidad_tipo` keep the guide's values; the row's
`descripcion` is the event's sentence filled in from the row's own metadata.
"""

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _

from auditoria.models import EntidadTipo, TipoActividad


class Evento(models.TextChoices):
    USUARIO_CREATED = "usuario.created", _("Cuenta creada")
    USUARIO_UPDATED = "usuario.updated", _("Cuenta editada")
    USUARIO_PASSWORD_CHANGED = "usuario.password_changed", _("Contraseña cambiada")
    USUARIO_DELETED = "usuario.deleted", _("Cuenta eliminada")
    WORKSPACE_CREATED = "workspace.created", _("Workspace creado")
    WORKSPACE_UPDATED = "workspace.updated", _("Workspace editado")
    WORKSPACE_OWNERSHIP_TRANSFERRED = (
        "workspace.ownership_transferred",
        _("Propiedad del workspace transferida"),
    )
    WORKSPACE_DELETED = "workspace.deleted", _("Workspace eliminado")
    WORKSPACE_MEMBER_ADDED = "workspace_member.added", _("Miembro añadido al workspace")
    WORKSPACE_MEMBER_ROLE_CHANGED = "workspace_member.role_changed", _("Rol en el workspace")
    WORKSPACE_MEMBER_REMOVED = "workspace_member.removed", _("Miembro quitado del workspace")
    PROYECTO_CREATED = "proyecto.created", _("Proyecto creado")
    PROYECTO_UPDATED = "proyecto.updated", _("Proyecto editado")
    PROYECTO_DELETED = "proyecto.deleted", _("Proyecto eliminado")
    PROYECTO_MEMBER_ADDED = "proyecto_member.added", _("Miembro añadido al proyecto")
    PROYECTO_MEMBER_ROLE_CHANGED = "proyecto_member.role_changed", _("Rol en el proyecto")
    PROYECTO_MEMBER_REMOVED = "proyecto_member.removed", _("Miembro quitado del proyecto")
    FOLDER_CREATED = "folder.created", _("Carpeta creada")
    FOLDER_UPDATED = "folder.updated", _("Carpeta renombrada o movida")
    FOLDER_TRASHED = "folder.trashed", _("Carpeta a la papelera")
    FOLDER_RESTORED = "folder.restored", _("Carpeta restaurada")
    FOLDER_DELETED = "folder.deleted", _("Carpeta eliminada definitivamente")
    DOCUMENTO_UPLOADED = "documento.uploaded", _("Documento subido")
    DOCUMENTO_UPDATED = "documento.updated", _("Documento editado")
    DOCUMENTO_VERSION_ADDED = "documento.version_added", _("Nueva versión")
    DOCUMENTO_TRASHED = "documento.trashed", _("Documento a la papelera")
    DOCUMENTO_RESTORED = "documento.restored", _("Documento restaurado")
    DOCUMENTO_DELETED = "documento.deleted", _("Documento eliminado definitivamente")
    PAPELERA_PURGED = "papelera.purged", _("Papelera vaciada")


@dataclass(frozen=True)
class EventSpec:
    tipo: str
    entidad_tipo: str
    sentence: str  # filled in from the row's metadata


# Short names for the guide's values, to keep the table below readable.
C, E, D = TipoActividad.CREAR, TipoActividad.EDITAR, TipoActividad.ELIMINAR
S, OT = TipoActividad.COMPARTIR, TipoActividad.OTRO
U, W = EntidadTipo.USUARIO, EntidadTipo.WORKSPACE
P, DOC, OTRO = EntidadTipo.PROYECTO, EntidadTipo.DOCUMENTO, EntidadTipo.OTRO

EVENTS = {
    Evento.USUARIO_CREATED: EventSpec(C, U, _("Creó la cuenta %(email)s")),
    Evento.USUARIO_UPDATED: EventSpec(E, U, _("Editó la cuenta %(email)s")),
    Evento.USUARIO_PASSWORD_CHANGED: EventSpec(E, U, _("Cambió la contraseña de %(email)s")),
    Evento.USUARIO_DELETED: EventSpec(D, U, _("Eliminó la cuenta %(email)s")),
    Evento.WORKSPACE_CREATED: EventSpec(C, W, _("Creó el workspace «%(nombre)s»")),
    Evento.WORKSPACE_UPDATED: EventSpec(E, W, _("Editó el workspace «%(nombre)s»")),
    Evento.WORKSPACE_OWNERSHIP_TRANSFERRED: EventSpec(
        E, W, _("Transfirió la propiedad de «%(nombre)s» a %(email)s")
    ),
    Evento.WORKSPACE_DELETED: EventSpec(D, W, _("Eliminó el workspace «%(nombre)s»")),
    Evento.WORKSPACE_MEMBER_ADDED: EventSpec(
        S, U, _("Añadió a %(email)s al workspace «%(nombre)s» como %(rol)s")
    ),
    Evento.WORKSPACE_MEMBER_ROLE_CHANGED: EventSpec(
        S, U, _("Cambió el rol de %(email)s en el workspace «%(nombre)s» a %(rol)s")
    ),
    Evento.WORKSPACE_MEMBER_REMOVED: EventSpec(
        S, U, _("Quitó a %(email)s del workspace «%(nombre)s»")
    ),
    Evento.PROYECTO_CREATED: EventSpec(C, P, _("Creó el proyecto «%(nombre)s»")),
    Evento.PROYECTO_UPDATED: EventSpec(E, P, _("Editó el proyecto «%(nombre)s»")),
    Evento.PROYECTO_DELETED: EventSpec(D, P, _("Eliminó el proyecto «%(nombre)s»")),
    Evento.PROYECTO_MEMBER_ADDED: EventSpec(
        S, U, _("Añadió a %(email)s al proyecto «%(nombre)s» como %(rol)s")
    ),
    Evento.PROYECTO_MEMBER_ROLE_CHANGED: EventSpec(
        S, U, _("Cambió el rol de %(email)s en el proyecto «%(nombre)s» a %(rol)s")
    ),
    Evento.PROYECTO_MEMBER_REMOVED: EventSpec(
        S, U, _("Quitó a %(email)s del proyecto «%(nombre)s»")
    ),
    Evento.FOLDER_CREATED: EventSpec(C, OTRO, _("Creó la carpeta %(path)s")),
    Evento.FOLDER_UPDATED: EventSpec(E, OTRO, _("Cambió la carpeta %(path_antes)s a %(path)s")),
    Evento.FOLDER_TRASHED: EventSpec(D, OTRO, _("Movió la carpeta %(path)s a la papelera")),
    Evento.FOLDER_RESTORED: EventSpec(OT, OTRO, _("Restauró la carpeta %(path)s de la papelera")),
    Evento.FOLDER_DELETED: EventSpec(D, OTRO, _("Eliminó definitivamente la carpeta %(path)s")),
    Evento.DOCUMENTO_UPLOADED: EventSpec(C, DOC, _("Subió «%(nombre)s» a %(carpeta)s")),
    Evento.DOCUMENTO_UPDATED: EventSpec(E, DOC, _("Editó «%(nombre)s»")),
    Evento.DOCUMENTO_VERSION_ADDED: EventSpec(
        E, DOC, _("Subió la versión %(version)s de «%(nombre)s»")
    ),
    Evento.DOCUMENTO_TRASHED: EventSpec(D, DOC, _("Movió «%(nombre)s» a la papelera")),
    Evento.DOCUMENTO_RESTORED: EventSpec(OT, DOC, _("Restauró «%(nombre)s» de la papelera")),
    Evento.DOCUMENTO_DELETED: EventSpec(D, DOC, _("Eliminó definitivamente «%(nombre)s»")),
    Evento.PAPELERA_PURGED: EventSpec(
        D, OTRO, _("Vació la papelera: %(carpetas)s carpetas, %(documentos)s documentos")
    ),
}
