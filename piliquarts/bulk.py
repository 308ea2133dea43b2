"""A large, realistic, deterministic data set, loaded at COPY speed (behind `seed_bulk`).

Rows are generated as streams, one table at a time, so memory stays bounded
whatever the size: only workspaces, projects, users' ids and folders are held
(small next to documents and activity). Every row of a given index comes from
the same seed, so two runs with the same options load the same data.
"""

import functools
import hashlib
import json
import random
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from tqdm import tqdm

TABLES = (
    "users", "workspaces", "workspace_members", "proyectos", "proyecto_members",
    "folders", "documentos", "documento_versions", "actividades",
)  # fmt: skip

PRESETS = {
    # name: (workspaces, users per workspace, proyectos per workspace, documentos, actividades)
    "small": (2, 10, 5, 200, 10_000),
    "medium": (20, 50, 25, 100_000, 1_000_000),
    "large": (100, 100, 50, 1_000_000, 10_000_000),
}
FOLDER_NAMES = ("Planos", "Contratos", "Cotizaciones", "Informes", "Fotos", "Permisos")
SUBFOLDER_NAMES = ("Estructura", "Arquitectura", "Instalaciones", "Eléctricas", "Sanitarias")
EXTENSIONS = (("pdf", "plano"), ("dwg", "plano"), ("docx", "informe"), ("xlsx", "cotizacion"))
START = datetime(2023, 1, 1, tzinfo=UTC)
SPAN_SECONDS = int(timedelta(days=3 * 365).total_seconds())


@dataclass(frozen=True)
class Sizes:
    workspaces: int
    users_per_workspace: int
    proyectos_per_workspace: int
    documentos: int
    actividades: int
    versions_per_documento: int = 3  # on average: 1 to 5
    seed: int = 20261124


_MASK = (1 << 128) - 1


@functools.cache
def _base(seed, kind):
    return int.from_bytes(hashlib.md5(f"{seed}:{kind}".encode(), usedforsecurity=False).digest())


def stable_uuid(seed, kind, index):
    """The same UUID for the same (seed, kind, index), on every run.

    A multiplicative hash of the index (cheap: this runs once per row) over a
    per-kind base; `version=4` sets the version and variant bits.
    """
    value = (_base(seed, kind) + index * 0x9E3779B97F4A7C15F39CC0605CEDC835) & _MASK
    return uuid.UUID(int=value, version=4)


class Plan:
    """What gets generated: the small tables in memory, the large ones as streams."""

    def __init__(self, sizes):
        self.sizes = sizes
        self.rng = random.Random(sizes.seed)
        s = sizes
        self.users = [
            stable_uuid(s.seed, "user", i) for i in range(s.workspaces * s.users_per_workspace)
        ]
        self.workspaces = [stable_uuid(s.seed, "workspace", i) for i in range(s.workspaces)]
        self.proyectos = [
            (stable_uuid(s.seed, "proyecto", w * s.proyectos_per_workspace + p), w)
            for w in range(s.workspaces)
            for p in range(s.proyectos_per_workspace)
        ]
        # Per project: root folders, some with sub-folders (depth 2 to 3).
        self.folders = []  # (id, proyecto index, parent id or None, nombre, path)
        for p_index in range(len(self.proyectos)):
            for root_name in FOLDER_NAMES:
                root = stable_uuid(s.seed, "folder", len(self.folders))
                self.folders.append((root, p_index, None, root_name, f"/{root_name}"))
                if root_name == "Planos":
                    for sub_name in SUBFOLDER_NAMES:
                        sub = stable_uuid(s.seed, "folder", len(self.folders))
                        path = f"/{root_name}/{sub_name}"
                        self.folders.append((sub, p_index, root, sub_name, path))
                        leaf = stable_uuid(s.seed, "folder", len(self.folders))
                        self.folders.append(
                            (leaf, p_index, sub, "Revisiones", f"{path}/Revisiones")
                        )
        self.folders_by_proyecto = {}
        for folder in self.folders:
            self.folders_by_proyecto.setdefault(folder[1], []).append(folder)

    def user_of_workspace(self, rng, w):
        per = self.sizes.users_per_workspace
        return self.users[w * per + rng.randrange(per)]

    # -- the rows of each table, in COPY column order ---------------------------

    def rows_users(self):
        password = make_password("bulk-demo-no-login")
        now = START.isoformat()
        for i, user_id in enumerate(self.users):
            rol = "owner" if i == 0 else ("admin" if i % 97 == 0 else "member")
            yield (user_id, f"usuario{i}@bulk.piliquarts.com", f"Usuario {i}", password, rol,
                   True, "", "{}", now, now)  # fmt: skip

    def rows_workspaces(self):
        per = self.sizes.users_per_workspace
        for w, workspace_id in enumerate(self.workspaces):
            yield (workspace_id, f"Constructora {w}", f"constructora-{w}", "", self.users[w * per],
                   "pro", "{}", START.isoformat(), START.isoformat())  # fmt: skip

    def rows_workspace_members(self):
        per = self.sizes.users_per_workspace
        for w, workspace_id in enumerate(self.workspaces):
            for u in range(per):
                rol = (
                    "owner"
                    if u == 0
                    else ("admin" if u == 1 else ("viewer" if u % 7 == 0 else "member"))
                )
                yield (stable_uuid(self.sizes.seed, "wmember", w * per + u), workspace_id,
                       self.users[w * per + u], rol, START.isoformat())  # fmt: skip

    def rows_proyectos(self):
        rng = random.Random(self.sizes.seed + 1)
        for p, (proyecto_id, w) in enumerate(self.proyectos):
            begin = START.date() + timedelta(days=rng.randrange(900))
            yield (proyecto_id, f"Proyecto {p}", self.workspaces[w], "",
                   rng.choice(("residencial", "comercial", "industrial", "otro")),
                   rng.choice(("activo", "activo", "pausado", "completado")),
                   begin, begin + timedelta(days=rng.randrange(90, 900)),
                   f"{rng.randrange(100_000, 50_000_000)}.00", "{}",
                   START.isoformat(), START.isoformat())  # fmt: skip

    def rows_proyecto_members(self):
        rng = random.Random(self.sizes.seed + 2)
        per = self.sizes.users_per_workspace
        n = 0
        for proyecto_id, w in self.proyectos:
            team = rng.sample(range(per), k=min(per, 6))
            for k, u in enumerate(team):
                rol = ("gerente", "ingeniero", "ingeniero", "tecnico", "tecnico", "viewer")[k]
                yield (stable_uuid(self.sizes.seed, "pmember", n), proyecto_id,
                       self.users[w * per + u], rol, START.isoformat())  # fmt: skip
                n += 1

    def rows_folders(self):
        for folder_id, p_index, parent, nombre, path in self.folders:
            yield (folder_id, nombre, self.proyectos[p_index][0], parent, path,
                   START.isoformat(), START.isoformat())  # fmt: skip

    def _documento(self, i):
        """Everything about document `i`, from its own seed (so versions can be re-derived)."""
        rng = random.Random(self.sizes.seed * 1_000_003 + i)
        p_index = rng.randrange(len(self.proyectos))
        folder = rng.choice(self.folders_by_proyecto[p_index])
        extension, tipo = rng.choice(EXTENSIONS)
        versions = rng.randint(1, 2 * self.sizes.versions_per_documento - 1)
        created = START + timedelta(seconds=rng.randrange(SPAN_SECONDS))
        author = self.user_of_workspace(rng, self.proyectos[p_index][1])
        sizes = [rng.randrange(20_000, 40_000_000) for _ in range(versions)]
        return p_index, folder, extension, tipo, versions, created, author, sizes

    def storage_path(self, documento_id, proyecto_id, version):
        return f"documentos/{proyecto_id}/{documento_id}/v{version}-bulk.bin"

    def rows_documentos(self):
        for i in range(self.sizes.documentos):
            p_index, folder, extension, tipo, versions, created, author, sizes = self._documento(i)
            documento_id = stable_uuid(self.sizes.seed, "documento", i)
            proyecto_id = self.proyectos[p_index][0]
            yield (documento_id, f"documento-{i}.{extension}", proyecto_id, folder[0], tipo,
                   extension, sizes[-1], self.storage_path(documento_id, proyecto_id, versions),
                   versions, "{}", author, created.isoformat(), created.isoformat())  # fmt: skip

    def rows_documento_versions(self):
        for i in range(self.sizes.documentos):
            p_index, _folder, _ext, _tipo, versions, created, author, sizes = self._documento(i)
            documento_id = stable_uuid(self.sizes.seed, "documento", i)
            proyecto_id = self.proyectos[p_index][0]
            for v in range(1, versions + 1):
                yield (stable_uuid(self.sizes.seed, f"version{v}", i), documento_id, v,
                       self.storage_path(documento_id, proyecto_id, v), sizes[v - 1],
                       "Versión inicial" if v == 1 else f"Revisión {v}",
                       hashlib.sha256(f"{documento_id}:{v}".encode()).hexdigest(), author,
                       (created + timedelta(days=v - 1)).isoformat())  # fmt: skip

    def rows_actividades(self):
        rng = random.Random(self.sizes.seed + 3)
        tipos = ("crear", "editar", "editar", "editar", "compartir", "comentar", "eliminar")
        for i in range(self.sizes.actividades):
            p_index = rng.randrange(len(self.proyectos))
            proyecto_id, w = self.proyectos[p_index]
            tipo = rng.choice(tipos)
            entidad = rng.randrange(max(1, self.sizes.documentos))
            moment = START + timedelta(seconds=rng.randrange(SPAN_SECONDS))
            yield (stable_uuid(self.sizes.seed, "actividad", i), self.user_of_workspace(rng, w),
                   proyecto_id, self.workspaces[w], tipo, "documento",
                   stable_uuid(self.sizes.seed, "documento", entidad),
                   f"{tipo.capitalize()} documento-{entidad} en Proyecto {p_index}",
                   json.dumps({"version": rng.randint(1, 5)}), moment.isoformat())  # fmt: skip

    def count(self, table):
        s = self.sizes
        return {
            "users": len(self.users), "workspaces": len(self.workspaces),
            "workspace_members": len(self.users), "proyectos": len(self.proyectos),
            "proyecto_members": len(self.proyectos) * min(6, s.users_per_workspace),
            "folders": len(self.folders), "documentos": s.documentos,
            "documento_versions": None, "actividades": s.actividades,
        }[table]  # fmt: skip


COLUMNS = {
    "users": ("id", "email", "nombre", "password_hash", "rol_global", "email_verified",
              "avatar_url", "settings", "created_at", "updated_at"),
    "workspaces": ("id", "nombre", "slug", "descripcion", "owner_id", "plan", "settings",
                   "created_at", "updated_at"),
    "workspace_members": ("id", "workspace_id", "user_id", "rol", "joined_at"),
    "proyectos": ("id", "nombre", "workspace_id", "descripcion", "tipo", "estado", "fecha_inicio",
                  "fecha_fin", "presupuesto", "metadata", "created_at", "updated_at"),
    "proyecto_members": ("id", "proyecto_id", "user_id", "rol", "joined_at"),
    "folders": ("id", "nombre", "proyecto_id", "parent_id", "path", "created_at", "updated_at"),
    "documentos": ("id", "nombre", "proyecto_id", "folder_id", "tipo", "formato", "size_bytes",
                   "storage_path", "version", "metadata", "created_by", "created_at",
                   "updated_at"),
    "documento_versions": ("id", "documento_id", "version", "storage_path", "size_bytes",
                           "cambios", "sha256", "created_by", "created_at"),
    "actividades": ("id", "user_id", "proyecto_id", "workspace_id", "tipo", "entidad_tipo",
                    "entidad_id", "descripcion", "metadata", "created_at"),
}  # fmt: skip


# Past this many rows, building an index once after the load beats updating it per row
# (a GIN trigram index above all).
BULK_INDEX_THRESHOLD = 100_000


def drop_secondary_indexes(cursor, table):
    """Drop the indexes no constraint owns; return the statements that rebuild them.

    Done inside the load's transaction: if the load fails, they are back as they were.
    """
    cursor.execute(
        """
        SELECT i.indexname, i.indexdef FROM pg_indexes i
        WHERE i.schemaname = current_schema() AND i.tablename = %s
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)
        """,
        [table],
    )
    indexes = cursor.fetchall()
    for name, _definition in indexes:
        cursor.execute(f'DROP INDEX "{name}"')
    return [definition for _name, definition in indexes]


def existing_rows():
    with connection.cursor() as cursor:
        return {
            table: cursor.execute(f'SELECT EXISTS (SELECT 1 FROM "{table}")').fetchone()[0]
            for table in TABLES
        }


def _sqlite_value(value):
    if isinstance(value, uuid.UUID):
        return value.hex
    return value.isoformat() if hasattr(value, "isoformat") else value


def load_table(table, rows, total=None, progress=True):
    """Load `rows` into `table`: COPY on PostgreSQL, batched executemany on SQLite."""
    columns = COLUMNS[table]
    started, written = time.perf_counter(), 0
    bar = tqdm(total=total, desc=table, unit="rows", unit_scale=True, disable=not progress)
    with transaction.atomic(), connection.cursor() as cursor:
        rebuild = []
        if connection.vendor == "postgresql" and (total or 0) >= BULK_INDEX_THRESHOLD:
            rebuild = drop_secondary_indexes(cursor, table)
        if connection.vendor == "postgresql":
            names = ", ".join(f'"{c}"' for c in columns)
            with cursor.cursor.copy(f'COPY "{table}" ({names}) FROM STDIN') as copy:
                for row in rows:
                    copy.write_row(row)
                    written += 1
                    if written % 10_000 == 0:
                        bar.update(10_000)
        else:
            placeholders = ", ".join("?" * len(columns))
            sql = f'INSERT INTO "{table}" ({", ".join(columns)}) VALUES ({placeholders})'
            batch = []
            for row in rows:
                batch.append(tuple(_sqlite_value(v) for v in row))
                if len(batch) == 10_000:
                    cursor.cursor.executemany(sql, batch)
                    written += len(batch)
                    bar.update(len(batch))
                    batch = []
            cursor.cursor.executemany(sql, batch)
            written += len(batch)
        if rebuild:
            # Check the deferred foreign keys now: indexes cannot be built over pending checks.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            # Index builds sort in memory; the default 64MB spills to disk (GIN above all).
            cursor.execute("SET LOCAL maintenance_work_mem = '1GB'")
        for definition in rebuild:
            cursor.execute(definition)
    bar.update(written - bar.n)
    bar.close()
    return written, time.perf_counter() - started


def seed(sizes, progress=True):
    """Load every table; return {table: (rows, seconds)}. Refuses a database with data."""
    busy = [table for table, has_rows in existing_rows().items() if has_rows]
    if busy:
        raise ValueError(
            f"These tables already have rows: {', '.join(busy)}. seed_bulk loads "
            "into an empty schema (e.g. `db downgrade base --yes && db upgrade`)."
        )
    plan = Plan(sizes)
    results = {}
    for table in TABLES:
        rows = getattr(plan, f"rows_{table}")()
        results[table] = load_table(table, rows, plan.count(table), progress)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ANALYZE")
    return results
