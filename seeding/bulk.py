"""A large, realistic, deterministic data set, loaded at COPY speed (behind `seed_bulk`).

Rows are generated as streams, one table at a time, so memory stays bounded
whatever the size: only workspaces, projects, users' ids and folders are held
(small next to documents and activity). Every row of a given index comes from
the same seed, so two runs with the same options load the same data.
"""

import functools
import hashlib
import itertools
import json
import random
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.apps import apps
from django.contrib.auth.hashers import make_password
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
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


# A UUID is a multiplicative hash of its index over a per-kind base (cheap: it
# runs once per row), kept to 128 bits with the version 4 and variant bits set.
_STEP = 0x9E3779B97F4A7C15F39CC0605CEDC835
_KEEP = ((1 << 128) - 1) & ~((0xF000 << 64) | (0xC000 << 48))
_VERSION_4 = (0x4000 << 64) | (0x8000 << 48)


@functools.cache
def _base(seed, kind):
    return int.from_bytes(hashlib.md5(f"{seed}:{kind}".encode(), usedforsecurity=False).digest())


def stable_uuid_hex(seed, kind, index):
    """The same UUID for the same (seed, kind, index), on every run, as 32 hex digits.

    Both databases take this form as it is: PostgreSQL's `uuid` type parses it
    and Django keeps UUIDs as 32 hex digits on SQLite. The row generators inline
    this expression, which runs tens of millions of times.
    """
    return f"{((_base(seed, kind) + index * _STEP) & _KEEP) | _VERSION_4:032x}"


@functools.cache
def _day(days):
    return (START + timedelta(days=days)).strftime("%Y-%m-%d")


def timestamp(seconds):
    """`seconds` after START as UTC text ("2023-01-01 08:30:00"), the way Django writes it.

    Built from a cached date and integer arithmetic: `datetime.isoformat()` per
    row would be a tenth of the load's time.
    """
    days, second = divmod(seconds, 86_400)
    return f"{_day(days)} {second // 3600:02d}:{second // 60 % 60:02d}:{second % 60:02d}"


class DataSet:
    """What gets generated: the small tables in memory, the large ones as streams.

    Every value is text (or None, an int or a bool in the small tables), ready
    for COPY's text format and for SQLite as it is.
    """

    def __init__(self, sizes):
        self.sizes = sizes
        s = sizes
        self.users = [
            stable_uuid_hex(s.seed, "user", i) for i in range(s.workspaces * s.users_per_workspace)
        ]
        self.workspaces = [stable_uuid_hex(s.seed, "workspace", i) for i in range(s.workspaces)]
        self.proyectos = [
            (stable_uuid_hex(s.seed, "proyecto", w * s.proyectos_per_workspace + p), w)
            for w in range(s.workspaces)
            for p in range(s.proyectos_per_workspace)
        ]
        # Per project: root folders, some with sub-folders (depth 2 to 3).
        self.folders = []  # (id, proyecto index, parent id or None, nombre, path)
        for p_index in range(len(self.proyectos)):
            for root_name in FOLDER_NAMES:
                root = stable_uuid_hex(s.seed, "folder", len(self.folders))
                self.folders.append((root, p_index, None, root_name, f"/{root_name}"))
                if root_name == "Planos":
                    for sub_name in SUBFOLDER_NAMES:
                        sub = stable_uuid_hex(s.seed, "folder", len(self.folders))
                        path = f"/{root_name}/{sub_name}"
                        self.folders.append((sub, p_index, root, sub_name, path))
                        leaf = stable_uuid_hex(s.seed, "folder", len(self.folders))
                        self.folders.append(
                            (leaf, p_index, sub, "Revisiones", f"{path}/Revisiones")
                        )
        self.folders_by_proyecto = {}
        for folder in self.folders:
            self.folders_by_proyecto.setdefault(folder[1], []).append(folder[0])

    def users_of_workspace(self, w):
        per = self.sizes.users_per_workspace
        return self.users[w * per : (w + 1) * per]

    # -- the rows of each table, in COPY column order ---------------------------

    def rows_users(self):
        password = make_password("bulk-demo-no-login")
        now = timestamp(0)
        for i, user_id in enumerate(self.users):
            rol = "owner" if i == 0 else ("admin" if i % 97 == 0 else "member")
            yield (user_id, f"usuario{i}@bulk.piliquarts.com", f"Usuario {i}", password, rol,
                   True, "", "{}", now, now)  # fmt: skip

    def rows_workspaces(self):
        per, now = self.sizes.users_per_workspace, timestamp(0)
        for w, workspace_id in enumerate(self.workspaces):
            yield (workspace_id, f"Constructora {w}", f"constructora-{w}", "", self.users[w * per],
                   "pro", "{}", now, now)  # fmt: skip

    def rows_workspace_members(self):
        per, now = self.sizes.users_per_workspace, timestamp(0)
        for w, workspace_id in enumerate(self.workspaces):
            for u in range(per):
                rol = (
                    "owner"
                    if u == 0
                    else ("admin" if u == 1 else ("viewer" if u % 7 == 0 else "member"))
                )
                yield (stable_uuid_hex(self.sizes.seed, "wmember", w * per + u), workspace_id,
                       self.users[w * per + u], rol, now)  # fmt: skip

    def rows_proyectos(self):
        rng = random.Random(self.sizes.seed + 1)
        now = timestamp(0)
        for p, (proyecto_id, w) in enumerate(self.proyectos):
            begin = START.date() + timedelta(days=rng.randrange(900))
            yield (proyecto_id, f"Proyecto {p}", self.workspaces[w], "",
                   rng.choice(("residencial", "comercial", "industrial", "otro")),
                   rng.choice(("activo", "activo", "pausado", "completado")),
                   begin.isoformat(), (begin + timedelta(days=rng.randrange(90, 900))).isoformat(),
                   f"{rng.randrange(100_000, 50_000_000)}.00", "{}", now, now)  # fmt: skip

    def rows_proyecto_members(self):
        rng = random.Random(self.sizes.seed + 2)
        per, now = self.sizes.users_per_workspace, timestamp(0)
        n = 0
        for proyecto_id, w in self.proyectos:
            team = rng.sample(range(per), k=min(per, 6))
            for k, u in enumerate(team):
                rol = ("gerente", "ingeniero", "ingeniero", "tecnico", "tecnico", "viewer")[k]
                yield (stable_uuid_hex(self.sizes.seed, "pmember", n), proyecto_id,
                       self.users[w * per + u], rol, now)  # fmt: skip
                n += 1

    def rows_folders(self):
        now = timestamp(0)
        for folder_id, p_index, parent, nombre, path in self.folders:
            yield (folder_id, nombre, self.proyectos[p_index][0], parent, path, now, now)

    def documentos(self):
        """Each document's facts, in order, from one seeded stream (documents and their
        versions both replay it, so it is never held in memory).

        Yields (index, id, proyecto id, folder id, extension, tipo, author id,
        created second, [size of each version]).
        """
        s = self.sizes
        rng = random.Random(s.seed * 1_000_003)
        r = rng.random
        proyectos = [
            (proyecto_id, self.folders_by_proyecto[p], self.users_of_workspace(w))
            for p, (proyecto_id, w) in enumerate(self.proyectos)
        ]
        n_proyectos, n_extensions = len(proyectos), len(EXTENSIONS)
        most_versions = 2 * s.versions_per_documento - 1
        base = _base(s.seed, "documento")
        for i in range(s.documentos):
            proyecto_id, folders, authors = proyectos[int(r() * n_proyectos)]
            extension, tipo = EXTENSIONS[int(r() * n_extensions)]
            versions = 1 + int(r() * most_versions)
            yield (
                i,
                f"{((base + i * _STEP) & _KEEP) | _VERSION_4:032x}",
                proyecto_id,
                folders[int(r() * len(folders))],
                extension,
                tipo,
                authors[int(r() * len(authors))],
                int(r() * SPAN_SECONDS),
                [20_000 + int(r() * 39_980_000) for _ in range(versions)],
            )

    @staticmethod
    def storage_path(documento_id, proyecto_id, version):
        return f"documentos/{proyecto_id}/{documento_id}/v{version}-bulk.bin"

    def rows_documentos(self):
        for (
            i,
            documento_id,
            proyecto_id,
            folder_id,
            extension,
            tipo,
            author,
            created,
            sizes,
        ) in self.documentos():
            when = timestamp(created)
            versions = len(sizes)
            yield (documento_id, f"documento-{i}.{extension}", proyecto_id, folder_id, tipo,
                   extension, str(sizes[-1]),
                   self.storage_path(documento_id, proyecto_id, versions), str(versions),
                   "{}", author, when, when)  # fmt: skip

    def rows_documento_versions(self):
        seed = self.sizes.seed
        bases = [
            _base(seed, f"version{v}") for v in range(1, 2 * self.sizes.versions_per_documento)
        ]
        sha256 = hashlib.sha256
        for (
            i,
            documento_id,
            proyecto_id,
            _folder,
            _ext,
            _tipo,
            author,
            created,
            sizes,
        ) in self.documentos():
            for v, size in enumerate(sizes, start=1):
                yield (f"{((bases[v - 1] + i * _STEP) & _KEEP) | _VERSION_4:032x}", documento_id,
                       str(v), self.storage_path(documento_id, proyecto_id, v), str(size),
                       "Versión inicial" if v == 1 else f"Revisión {v}",
                       sha256(f"{documento_id}:{v}".encode()).hexdigest(), author,
                       timestamp(created + (v - 1) * 86_400))  # fmt: skip

    def rows_actividades(self):
        s = self.sizes
        rng = random.Random(s.seed + 3)
        r = rng.random
        tipos = ("crear", "editar", "editar", "editar", "compartir", "comentar", "eliminar")
        verbs = [f"{tipo.capitalize()} documento-" for tipo in tipos]
        metadata = [f'{{"version": {version}}}' for version in range(1, 6)]
        proyectos = [
            (proyecto_id, self.workspaces[w], self.users_of_workspace(w), f" en Proyecto {p}")
            for p, (proyecto_id, w) in enumerate(self.proyectos)
        ]
        n_proyectos, n_tipos, per = len(proyectos), len(tipos), s.users_per_workspace
        n_documentos = max(1, s.documentos)
        base, documento_base = _base(s.seed, "actividad"), _base(s.seed, "documento")
        # Every second of a day and every day of the span as text, looked up per row.
        days = [_day(d) for d in range(SPAN_SECONDS // 86_400 + 1)]
        clock = [
            f" {h:02d}:{m:02d}:{sec:02d}" for h in range(24) for m in range(60) for sec in range(60)
        ]
        for i in range(s.actividades):
            proyecto_id, workspace_id, users, en_proyecto = proyectos[int(r() * n_proyectos)]
            t = int(r() * n_tipos)
            entidad = int(r() * n_documentos)
            day, second = divmod(int(r() * SPAN_SECONDS), 86_400)
            yield (
                f"{((base + i * _STEP) & _KEEP) | _VERSION_4:032x}",
                users[int(r() * per)],
                proyecto_id,
                workspace_id,
                tipos[t],
                "documento",
                f"{((documento_base + entidad * _STEP) & _KEEP) | _VERSION_4:032x}",
                f"{verbs[t]}{entidad}{en_proyecto}",
                metadata[int(r() * 5)],
                days[day] + clock[second],
            )

    def count(self, table):
        s = self.sizes
        return {
            "users": len(self.users), "workspaces": len(self.workspaces),
            "workspace_members": len(self.users), "proyectos": len(self.proyectos),
            "proyecto_members": len(self.proyectos) * min(6, s.users_per_workspace),
            "folders": len(self.folders), "documentos": s.documentos,
            "documento_versions": s.documentos * s.versions_per_documento,
            "actividades": s.actividades,
        }[table]  # fmt: skip


# Columns the loader leaves to their database defaults: nobody has logged in yet,
# nothing is in the trash.
LEFT_TO_DEFAULTS = frozenset({"last_login", "deleted_at", "deleted_by_id"})
TIMESTAMPS = ("created_at", "updated_at")


@functools.cache
def columns(table):
    """The columns a row generator writes, read from the table's model.

    The model's columns in their order, the timestamps it inherits last (where
    its own `created_at` already is), less those left to their defaults.
    """
    model = next(m for m in apps.get_models() if m._meta.db_table == table)
    names = [f.column for f in model._meta.concrete_fields if f.column not in LEFT_TO_DEFAULTS]
    return tuple(sorted(names, key=lambda name: name in TIMESTAMPS and name != names[-1]))


# Past this many rows, building an index once after the load beats updating it per row
# (a GIN trigram index above all), and checking a foreign key with one join beats
# checking it row by row.
BULK_INDEX_THRESHOLD = 100_000
COPY_BATCH = 5_000
# Sessions building a table's plain indexes side by side after its load: one per core here.
INDEX_SESSIONS = 2
# Left on a table (as its comment, in the load's transaction) until its plain indexes exist.
PENDING_MARK = "seed_bulk: indexes pending "


def detach_constraints_and_indexes(cursor, table):
    """Drop what a row-by-row load would have to maintain; return what puts it back.

    Dropped: the table's foreign keys, its primary key and unique constraints
    when no foreign key points at them, and every other index. Returns two lists
    of statements: the integrity ones (keys, unique indexes, then foreign keys,
    each checked by one join or built by one sort), to run in the load's own
    transaction, and the plain indexes, which only speed reads up and can be
    built after the commit, side by side.
    """
    cursor.execute(
        """
        SELECT c.conname, c.contype, pg_get_constraintdef(c.oid) FROM pg_constraint c
        WHERE c.conrelid = %s::regclass AND (
            c.contype = 'f'
            OR c.contype IN ('p', 'u') AND NOT EXISTS (
                SELECT 1 FROM pg_constraint f WHERE f.contype = 'f' AND f.conindid = c.conindid
            )
        )
        ORDER BY c.contype = 'f' DESC, c.conname
        """,
        [f'"{table}"'],
    )
    constraints = cursor.fetchall()
    for name, _type, _definition in constraints:
        cursor.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')
    indexes = drop_secondary_indexes(cursor, table)

    def add(kinds):
        return [
            f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}'
            for name, kind, definition in constraints
            if kind in kinds
        ]

    unique = [index for index in indexes if index.startswith("CREATE UNIQUE INDEX")]
    plain = [index for index in indexes if index not in unique]
    return [*add("pu"), *unique, *add("f")], plain


def drop_secondary_indexes(cursor, table):
    """Drop the indexes no constraint owns; return the statements that rebuild them.

    A partitioned table's index is rebuilt as PostgreSQL builds it: an empty index
    on the parent alone (ON ONLY), one index per partition under its own name, each
    attached to the parent's, which is valid once all are.
    """
    cursor.execute(
        """
        SELECT i.indexname, i.indexdef FROM pg_indexes i
        WHERE i.schemaname = current_schema() AND i.tablename = %s
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)
        ORDER BY i.indexname
        """,
        [table],
    )
    indexes = cursor.fetchall()
    cursor.execute(
        """
        SELECT parent.relname, child.relname, pg_get_indexdef(child.oid)
        FROM pg_inherits inh JOIN pg_class child ON child.oid = inh.inhrelid
        JOIN pg_class parent ON parent.oid = inh.inhparent
        WHERE parent.relkind = 'I' AND parent.relname = ANY(%s)
        ORDER BY parent.relname, child.relname
        """,
        [[name for name, _definition in indexes]],
    )
    partition_indexes = cursor.fetchall()
    for name, _definition in indexes:
        cursor.execute(f'DROP INDEX "{name}"')
    return [
        *(definition for _name, definition in indexes),
        *(definition for _parent, _child, definition in partition_indexes),
        *(f'ALTER INDEX "{parent}" ATTACH PARTITION "{child}"'
          for parent, child, _ in partition_indexes),
    ]  # fmt: skip


def build_indexes(statements, sessions=INDEX_SESSIONS):
    """Run CREATE INDEX `statements` in `sessions` connections at once, longest first.

    A GIN trigram build runs on one core for most of a large load's time; the
    btree indexes are built beside it instead of after it. Each session uses one
    core (no parallel workers of its own), so they do not fight over the cores.
    With partitions, every partition's indexes are built this way, several at once;
    the parents' empty indexes come first and the attachments last (catalog only).
    The sessions are plain connections (no pool) to this thread's default database.
    """
    source = connections[DEFAULT_DB_ALIAS]
    options = {k: v for k, v in source.settings_dict.get("OPTIONS", {}).items() if k != "pool"}
    settings_dict = {**source.settings_dict, "OPTIONS": options}

    def run(batch):
        # Made in this worker thread, which then owns it.
        session = type(source)(settings_dict, source.alias)
        try:
            with session.cursor() as cursor:
                cursor.execute("SET maintenance_work_mem = '1GB'")
                cursor.execute("SET max_parallel_maintenance_workers = 0")
                for statement in batch:
                    cursor.execute(
                        statement.replace("CREATE INDEX ", "CREATE INDEX IF NOT EXISTS ", 1)
                    )
        finally:
            session.close()

    parents = [statement for statement in statements if " ON ONLY " in statement]
    attach = [statement for statement in statements if statement.startswith("ALTER INDEX ")]
    builds = [statement for statement in statements if statement not in {*parents, *attach}]
    longest_first = sorted(builds, key=lambda statement: " USING gin " not in statement)
    run(parents)
    with ThreadPoolExecutor(max_workers=sessions) as pool:
        for future in [pool.submit(run, [statement]) for statement in longest_first]:
            future.result()
    run(attach)


def create_month_partitions(cursor, table, first, last):
    """Monthly partitions from `first` to `last` for a table partitioned by month
    (auditoria.0008 makes `actividades` one, with its partition function)."""
    cursor.execute("SELECT to_regproc(%s) IS NOT NULL", [f"{table}_create_partition"])
    if cursor.fetchone()[0]:
        cursor.execute(
            f"SELECT {table}_create_partition(month::date) "
            "FROM generate_series(%s::date, %s::date, interval '1 month') AS month",
            [first, last],
        )


def pending_indexes():
    """{table: [CREATE INDEX ...]} an interrupted load committed rows for but did not build."""
    pending = {}
    with connection.cursor() as cursor:
        for table in TABLES:
            cursor.execute("SELECT obj_description(%s::regclass, 'pg_class')", [f'"{table}"'])
            comment = cursor.fetchone()[0] or ""
            if comment.startswith(PENDING_MARK):
                pending[table] = json.loads(comment.removeprefix(PENDING_MARK))
    return pending


def finish_indexes(table, statements):
    """Build a table's pending plain indexes, then drop the mark that they were pending."""
    build_indexes(statements)
    with connection.cursor() as cursor:
        cursor.execute(f'COMMENT ON TABLE "{table}" IS NULL')


def existing_rows():
    with connection.cursor() as cursor:
        return {
            table: cursor.execute(f'SELECT EXISTS (SELECT 1 FROM "{table}")').fetchone()[0]
            for table in TABLES
        }


def copy_text(row):
    """A row as a line of COPY's text format.

    The generated values never hold a tab, a newline or a backslash (tested),
    so they need no escaping; None is COPY's NULL.
    """
    try:
        return "\t".join(row)
    except TypeError:  # a NULL, a number or a boolean: only in the small tables
        return "\t".join(r"\N" if value is None else str(value) for value in row)


def load_table(table, rows, total=None, progress=True):
    """Load `rows` into `table`: COPY on PostgreSQL, batched inserts on SQLite.

    The rows, keys, unique indexes and foreign keys go in one transaction: all or
    nothing. A large table's plain indexes are built after that commit, side by
    side; until they all exist the table's comment lists them, so that an
    interrupted run can be finished (`seed_bulk` does it first thing).
    """
    table_columns = columns(table)
    started, written = time.perf_counter(), 0
    bar = tqdm(total=total, desc=table, unit="rows", unit_scale=True, disable=not progress)
    postgresql = connection.vendor == "postgresql"
    plain_indexes = []
    with transaction.atomic(), connection.cursor() as cursor:
        integrity = []
        if postgresql:
            cursor.execute("SET LOCAL TIME ZONE 'UTC'")  # the timestamps are UTC
            if table == "actividades":
                end = START + timedelta(seconds=SPAN_SECONDS)
                create_month_partitions(cursor, table, START.date(), end.date())
            if (total or 0) >= BULK_INDEX_THRESHOLD:
                integrity, plain_indexes = detach_constraints_and_indexes(cursor, table)
                mark = PENDING_MARK + json.dumps(plain_indexes)
                cursor.execute(f'COMMENT ON TABLE "{table}" IS %s', [mark])
            names = ", ".join(f'"{c}"' for c in table_columns)
            with cursor.cursor.copy(f'COPY "{table}" ({names}) FROM STDIN') as copy:
                for batch in itertools.batched(rows, COPY_BATCH):
                    copy.write("\n".join([copy_text(row) for row in batch]) + "\n")
                    written += len(batch)
                    bar.update(len(batch))
        else:
            placeholders = ", ".join("?" * len(table_columns))
            sql = f'INSERT INTO "{table}" ({", ".join(table_columns)}) VALUES ({placeholders})'
            for batch in itertools.batched(rows, COPY_BATCH):
                cursor.cursor.executemany(sql, batch)
                written += len(batch)
                bar.update(len(batch))
        bar.close()
        if integrity:
            # Index builds sort in memory; the default 64MB spills to disk.
            cursor.execute("SET LOCAL maintenance_work_mem = '1GB'")
            for statement in integrity:
                cursor.execute(statement)
    if plain_indexes:
        finish_indexes(table, plain_indexes)
    return written, time.perf_counter() - started


def seed(sizes, progress=True):
    """Load every table; return {table: (rows, seconds)}. Refuses a database with data."""
    busy = [table for table, has_rows in existing_rows().items() if has_rows]
    if busy:
        raise ValueError(
            f"These tables already have rows: {', '.join(busy)}. seed_bulk loads "
            "into an empty schema (e.g. `db downgrade base --yes && db upgrade`)."
        )
    plan = DataSet(sizes)
    results = {}
    for table in TABLES:
        rows = getattr(plan, f"rows_{table}")()
        results[table] = load_table(table, rows, plan.count(table), progress)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ANALYZE")
    return results


def settle():
    """VACUUM (ANALYZE) the loaded tables on PostgreSQL; the seconds it took (None: SQLite).

    Rows just copied in are not yet marked all-visible: until a vacuum passes,
    every index-only scan visits the table too (a member's documents, a
    version's count), and autovacuum would pass in the middle of whatever
    runs next (a benchmark). Outside a transaction only, as VACUUM requires.
    """
    if connection.vendor != "postgresql":
        return None
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM (ANALYZE) {', '.join(TABLES)}")
    return time.perf_counter() - started
