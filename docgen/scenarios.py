"""The docs' scenarios: outputs that need a state first (a broken migration, a damaged file,
PostgreSQL), prepared out of sight in the scratch checkout, then the commands as shown.

`<!-- docs-output: scenario NAME -->` in a page shows what NAME's commands print.
"""

from dataclasses import dataclass

from docgen.runnable_docs import Session

SCENARIOS = {}


@dataclass
class Scenario:
    function: object
    postgresql: bool

    def render(self, scratch):
        return self.function(scratch).shown


def scenario(name, *, postgresql=False):
    def register(function):
        SCENARIOS[name] = Scenario(function, postgresql)
        return function

    return register


# Documents of the demo project, uploaded through the services as a user would.
UPLOAD = """
from django.core.files.base import ContentFile
from accounts.models import User
from documentos.models import Documento, Folder
from documentos.services import add_version, create_folder, upload_documento
from proyectos.models import Proyecto

admin = User.objects.get(email="admin@piliquarts.com")
proyecto = Proyecto.objects.get(nombre="Edificio Residencial Miraflores")


def upload(nombre, folder=None, versions=1):
    documento = upload_documento(
        proyecto=proyecto, nombre=nombre, folder=folder, user=admin,
        file=ContentFile(f"{nombre} v1".encode(), name=nombre),
    )
    for n in range(2, versions + 1):
        add_version(
            documento=documento, cambios=f"v{n}", user=admin,
            file=ContentFile(f"{nombre} v{n}".encode(), name=nombre),
        )
    return documento
"""


@scenario("forward-only-downgrade")
def forward_only_downgrade(scratch):
    session = Session(scratch)
    session.install_sandbox("irreversible")  # its 0002 is a RunSQL without reverse SQL
    session.prepare("python manage.py db upgrade")
    return session.show("python manage.py db downgrade")


@scenario("db-sql-postgresql", postgresql=True)
def db_sql_postgresql(scratch):
    session = Session(scratch, postgresql=True, empty=True)
    return session.show("python manage.py db sql +2")


@scenario("failing-migration", postgresql=True)
def failing_migration(scratch):
    session = Session(scratch, postgresql=True)
    session.install_sandbox("failing")  # its 0002 fails after its first statement
    return session.show("python manage.py db upgrade")


@scenario("invalid-index", postgresql=True)
def invalid_index(scratch):
    session = Session(scratch, postgresql=True)
    # What a CREATE INDEX CONCURRENTLY that was killed half-way leaves (as the tests do).
    session.prepare(
        f'psql -v ON_ERROR_STOP=1 -q {session.database} -c "UPDATE pg_index SET indisvalid = '
        "false WHERE indexrelid = 'documentos_alive_nombre_idx'::regclass\""
    )
    session.show("python manage.py db current")
    session.show(
        f"psql {session.database} -c 'REINDEX INDEX CONCURRENTLY documentos_alive_nombre_idx'"
    )
    return session.show("python manage.py db current | tail -n 1")


@scenario("upgrade-backup", postgresql=True)
def upgrade_backup(scratch):
    session = Session(scratch, postgresql=True)
    session.prepare("python manage.py migrate sessions zero -v 0")  # one migration pending
    return session.show("python manage.py db upgrade --backup")


@scenario("append-only", postgresql=True)
def append_only(scratch):
    session = Session(scratch, postgresql=True)
    session.show(f"psql {session.database} -c \"UPDATE actividades SET descripcion = 'x'\"")
    return session.show(f'psql {session.database} -c "TRUNCATE actividades"')


@scenario("purge-trash")
def purge_trash(scratch):
    session = Session(scratch)
    session.python(
        UPLOAD
        + """
from datetime import timedelta
from django.utils import timezone
from documentos.services import trash_documento, trash_folder

obsoletos = create_folder(proyecto=proyecto, nombre="Obsoletos", user=admin)
anteriores = create_folder(proyecto=proyecto, nombre="2025", parent=obsoletos, user=admin)
upload("plano-a.pdf", obsoletos, versions=3)
upload("plano-b.pdf", obsoletos, versions=2)
upload("contrato.docx", anteriores, versions=2)
upload("presupuesto.xlsx", anteriores)
trash_folder(folder=obsoletos, user=admin)
trash_documento(documento=upload("borrador.pdf", versions=3), user=admin)
# Forty days later: past TRASH_RETENTION_DAYS.
forty_days_ago = timezone.now() - timedelta(days=40)
Folder.objects.filter(deleted_at__isnull=False).update(deleted_at=forty_days_ago)
Documento.objects.filter(deleted_at__isnull=False).update(deleted_at=forty_days_ago)
"""
    )
    return session.show("python manage.py purge_trash")


@scenario("check-integrity")
def check_integrity(scratch):
    session = Session(scratch)
    session.python(
        UPLOAD
        + """
from django.core.files.storage import default_storage

upload("a.pdf")
missing = upload("b.pdf").versions.get().storage_path
default_storage.delete(missing)
corrupt = upload("c.pdf").versions.get().storage_path
with default_storage.open(corrupt, "wb") as handle:
    handle.write(b"oops")
"""
    )
    return session.show("python manage.py check_integrity")


@scenario("backup-manifest", postgresql=True)
def backup_manifest(scratch):
    session = Session(scratch, postgresql=True)
    session.show("python manage.py db backup --output backups/pq.dump")
    return session.show("cat backups/pq.dump.manifest.json")
