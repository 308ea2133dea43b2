"""Projects through the services: edits keep before and after, deletes count what went."""

from decimal import Decimal

import pytest

from auditoria.models import Actividad
from documentos.tests.factories import DocumentoFactory, DocumentoVersionFactory, FolderFactory
from proyectos import services
from proyectos.models import Proyecto
from workspaces.tests.factories import WorkspaceFactory

pytestmark = pytest.mark.django_db


def test_editing_a_project_records_each_change_before_and_after():
    proyecto = services.create_proyecto(workspace=WorkspaceFactory(), nombre="Obra")
    services.update_proyecto(proyecto=proyecto, estado="pausado", presupuesto=Decimal("10.50"))
    audit = Actividad.objects.get(tipo="editar")
    assert audit.metadata["cambios"] == {
        "estado": {"antes": "activo", "despues": "pausado"},
        "presupuesto": {"antes": None, "despues": "10.50"},
    }


@pytest.mark.django_db(transaction=True)
def test_deleting_a_project_counts_what_the_database_cascades_and_keeps_the_audit_row():
    proyecto = services.create_proyecto(workspace=WorkspaceFactory(), nombre="Obra")
    folder = FolderFactory(proyecto=proyecto)
    documento = DocumentoFactory(proyecto=proyecto, folder=folder)
    DocumentoVersionFactory(documento=documento, version=1)
    DocumentoVersionFactory(documento=documento, version=2)
    proyecto_id = proyecto.pk
    counts = services.delete_proyecto(proyecto=proyecto)
    assert counts == {"carpetas": 1, "documentos": 1, "versiones": 2, "miembros": 0}
    assert not Proyecto.objects.filter(pk=proyecto_id).exists()
    audit = Actividad.objects.get(tipo="eliminar")
    assert (audit.entidad_id, audit.metadata["eliminados"]["versiones"]) == (proyecto_id, 2)
    assert audit.metadata["evento"] == "proyecto.deleted"
    assert audit.workspace_id == proyecto.workspace_id
