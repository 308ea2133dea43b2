"""Users: created, edited, given a password and deleted here, each change with its audit row.

Only platform owners and admins manage accounts, and nobody grants a
platform role above their own; the last platform owner always remains.
"""

from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import RolGlobal, User
from auditoria.events import Evento
from auditoria.services import edit_fields, record, snapshot
from core.permissions import access_for, may_grant_global
from core.services import DomainError, service

EDITABLE_FIELDS = ("email", "nombre", "rol_global", "email_verified", "avatar_url", "settings")


def _check_manager(user, *, target=None, rol=None):
    """A script (no `user`) may do anything; a person must manage accounts and outrank."""
    if user is None:
        return
    if not access_for(user).is_platform_admin:
        raise DomainError(
            _("Solo los propietarios y administradores de la plataforma gestionan cuentas.")
        )
    for role in filter(None, (rol, target.rol_global if target else None)):
        if not may_grant_global(user, role):
            raise DomainError(
                {"rol_global": _("No puede otorgar ni cambiar un rol global superior al suyo.")}
            )


def _check_an_owner_remains(target, *, leaving):
    """The platform keeps at least one owner: the last one is not demoted nor deleted."""
    if (
        leaving
        and not User.objects.filter(rol_global=RolGlobal.OWNER).exclude(pk=target.pk).exists()
    ):
        raise DomainError(_("La plataforma conserva al menos un propietario."))


@service
def create_user(*, email, nombre, password=None, user=None, **fields):
    """A new account; without `password` it cannot log in with one until a password is set."""
    _check_manager(user, rol=fields.get("rol_global"))
    target = User(email=User.objects.normalize_email(email), nombre=nombre, **fields)
    if password:
        target.set_password(password)
    else:
        target.set_unusable_password()
    target.full_clean()
    target.save()
    record(
        Evento.USUARIO_CREATED,
        user=user,
        entidad_id=target.pk,
        email=target.email,
        valores=snapshot(target, ("nombre", "rol_global", "email_verified")),
    )
    return target


@service
def update_user(*, target, user=None, **fields):
    """Change an account's profile or platform role; the audit row keeps before and after."""
    current = User.objects.select_for_update().get(pk=target.pk)
    _check_manager(user, target=current, rol=fields.get("rol_global"))
    was_owner = current.rol_global == RolGlobal.OWNER
    diff = edit_fields(current, fields, EDITABLE_FIELDS)
    _check_an_owner_remains(current, leaving=was_owner and current.rol_global != RolGlobal.OWNER)
    if diff:
        current.save()
        record(
            Evento.USUARIO_UPDATED,
            user=user,
            entidad_id=current.pk,
            email=current.email,
            cambios=diff,
        )
    vars(target).update({name: getattr(current, name) for name in (*EDITABLE_FIELDS, "updated_at")})
    return current


@service
def set_user_password(*, target, password, user=None):
    """Set an account's password (None: no password login at all). The hash is never audited."""
    if user is not None and user.pk != target.pk:
        _check_manager(user, target=target)
    current = User.objects.select_for_update().get(pk=target.pk)
    if password:
        current.set_password(password)
    else:
        current.set_unusable_password()
    current.save(update_fields=["password", "updated_at"])
    record(
        Evento.USUARIO_PASSWORD_CHANGED,
        user=user,
        entidad_id=current.pk,
        email=current.email,
        con_contrasena=bool(password),
    )
    target.password = current.password
    return current


@service
def delete_user(*, target, user=None):
    """Delete an account; their documents and audit rows stay (references become NULL)."""
    current = User.objects.select_for_update().get(pk=target.pk)
    _check_manager(user, target=current)
    owned = list(current.owned_workspaces.values_list("nombre", flat=True))
    if owned:
        raise DomainError(
            _("%(email)s es propietario de %(workspaces)s: transfiera la propiedad antes.")
            % {"email": current.email, "workspaces": ", ".join(owned)}
        )
    _check_an_owner_remains(current, leaving=current.rol_global == RolGlobal.OWNER)
    record(
        Evento.USUARIO_DELETED,
        user=user,
        entidad_id=current.pk,
        email=current.email,
        valores=snapshot(current, ("nombre", "rol_global")),
    )
    current.delete()


@service
def record_login(*, target):
    """Remember when an account last logged in (Django's `last_login`); not an audit event."""
    User.objects.filter(pk=target.pk).update(last_login=timezone.now())


def remember_login(sender, request, user, **kwargs):
    """Django's `user_logged_in` signal, answered by the service (connected in accounts.apps)."""
    record_login(target=user)
