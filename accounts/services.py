"""Users: deleting one keeps what they made, and says why an owner cannot go."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from auditoria.models import EntidadTipo, TipoActividad
from auditoria.services import record_actividad
from workspaces.models import Workspace


@transaction.atomic
def delete_user(*, target, user=None):
    """Delete an account; their documents and audit rows stay (references become NULL)."""
    owned = list(Workspace.objects.filter(owner=target).values_list("nombre", flat=True))
    if owned:
        raise ValidationError(
            _("%(email)s es propietario de %(workspaces)s: transfiera la propiedad antes.")
            % {"email": target.email, "workspaces": ", ".join(owned)}
        )
    record_actividad(
        user=user,
        tipo=TipoActividad.ELIMINAR,
        entidad_tipo=EntidadTipo.USUARIO,
        entidad_id=target.pk,
        descripcion=_("Eliminó la cuenta %(email)s") % {"email": target.email},
        metadata={"email": target.email, "nombre": target.nombre},
    )
    target.delete()
