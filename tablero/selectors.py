"""What the dashboard reads: the user's workspaces and projects, their totals, the latest activity.

Every read is bounded, whatever the size of the tables: a page of workspaces,
the projects of those workspaces with their totals (one row each, kept by the
database), the ten newest activity rows (from the feed indexes), and per-week
activity counted up to a cap (beyond it, PostgreSQL's estimate), cached per
scope for `DASHBOARD_CACHE_SECONDS`.
"""

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import connections
from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from auditoria.models import Actividad
from core.permissions import Action, Kind, access_for
from documentos.models import ProyectoTotales
from proyectos.models import EstadoProyecto, Proyecto
from workspaces.models import Workspace, WorkspaceMember

MAX_WORKSPACES = 8
PROYECTOS_SHOWN = 5
LATEST_ACTIVITY = 10
WEEKS = 12
# Beyond this many rows in a week, the chart shows PostgreSQL's estimate instead of a count.
WEEK_COUNT_CAP = 10_000
# A user reaching more workspaces or projects than this reads the feed with one filter
# instead of one index range per workspace and project.
MAX_FEED_BRANCHES = 20


@dataclass
class Totals:
    documentos: int = 0
    versiones: int = 0
    bytes: int = 0

    def add(self, other):
        self.documentos += other.documentos
        self.versiones += other.versiones
        self.bytes += other.bytes


@dataclass
class WorkspaceSummary:
    workspace: Workspace
    proyectos: list  # every visible project of the workspace, with `.totals`
    members: int | None  # None: the user may not see the workspace's members
    totals: Totals = field(default_factory=Totals)

    @property
    def shown_proyectos(self):
        return self.proyectos[:PROYECTOS_SHOWN]

    @property
    def hidden_proyectos(self):
        return max(len(self.proyectos) - PROYECTOS_SHOWN, 0)


@dataclass
class Week:
    start: object  # date of its Monday
    count: int
    estimated: bool = False


@dataclass
class Dashboard:
    workspaces: list
    more_workspaces: bool
    latest: list
    weeks: list
    cache_seconds: int

    @property
    def totals(self):
        total = Totals()
        for summary in self.workspaces:
            total.add(summary.totals)
        return total

    @property
    def proyectos_count(self):
        return sum(len(summary.proyectos) for summary in self.workspaces)

    @property
    def has_estimates(self):
        return any(week.estimated for week in self.weeks)

    @property
    def proyectos_by_storage(self):
        proyectos = [p for summary in self.workspaces for p in summary.proyectos]
        return sorted(proyectos, key=lambda p: (-p.totals.bytes, p.nombre))[:10]


def _cache_seconds():
    return getattr(settings, "DASHBOARD_CACHE_SECONDS", 300)


def dashboard(user, *, now=None):
    access = access_for(user)
    workspaces, more = _workspaces(access)
    proyectos = _proyectos(access, workspaces)
    totals = project_totals([ws.pk for ws in workspaces])
    summaries = {
        ws.pk: WorkspaceSummary(ws, [], getattr(ws, "member_count", None)) for ws in workspaces
    }
    for proyecto in proyectos:
        proyecto.totals = totals.get(proyecto.pk, Totals())
        summary = summaries[proyecto.workspace_id]
        summary.proyectos.append(proyecto)
        summary.totals.add(proyecto.totals)
    return Dashboard(
        workspaces=list(summaries.values()),
        more_workspaces=more,
        latest=latest_activity(access),
        weeks=weekly_activity(access, now=now),
        cache_seconds=_cache_seconds(),
    )


def _workspaces(access):
    """One page of the workspaces the user reaches (by name), and whether there are more."""
    rows = Workspace.objects.order_by("nombre", "id").only("id", "nombre", "slug", "plan")
    if not access.is_platform_admin:
        reached = set(access.workspace_ids()) | {
            ws for _p, (ws, _rol) in access.proyecto_roles.items()
        }
        rows = rows.filter(pk__in=reached)
    # Members are shown where the user may see them (a guest reaches only projects).
    members_visible = access.is_platform_admin or access.workspace_ids(
        Action.VIEW, Kind.WORKSPACE_MEMBER
    )
    if members_visible:
        count = (
            WorkspaceMember.objects.filter(workspace=OuterRef("pk"))
            .order_by()
            .values("workspace")
            .annotate(n=Count("*"))
            .values("n")
        )
        rows = rows.annotate(member_count=Coalesce(Subquery(count), 0))
    page = list(rows[: MAX_WORKSPACES + 1])
    if members_visible and not access.is_platform_admin:
        allowed = set(members_visible)
        for ws in page:
            if ws.pk not in allowed:
                ws.member_count = None
    return page[:MAX_WORKSPACES], len(page) > MAX_WORKSPACES


@dataclass
class ProyectoRow:
    """A project as the dashboard shows it (hundreds per page: no model instances)."""

    pk: object
    nombre: str
    estado: str
    workspace_id: object
    totals: Totals = None

    def get_estado_display(self):
        return EstadoProyecto(self.estado).label if self.estado in EstadoProyecto else self.estado


def _proyectos(access, workspaces):
    rows = Proyecto.objects.filter(workspace__in=[ws.pk for ws in workspaces])
    q = access.filter_q(Kind.PROYECTO, workspace_field="workspace_id", proyecto_field="id")
    if q is not None:
        rows = rows.filter(q)
    fields = ("id", "nombre", "estado", "workspace_id")
    return [ProyectoRow(*row) for row in rows.order_by("nombre", "id").values_list(*fields)]


def project_totals(workspace_ids):
    """{proyecto_id: Totals} of every project of these workspaces that has documents.

    Read from `proyecto_totales`, which the database keeps as documents come and
    go (documentos.models.ProyectoTotales): one row per project, always current.
    """
    rows = ProyectoTotales.objects.filter(proyecto__workspace_id__in=workspace_ids)
    fields = ("proyecto_id", "documentos", "versiones", "bytes")
    return {pk: Totals(*totals) for pk, *totals in rows.values_list(*fields)}


def _feed_scope(access):
    """(workspace ids, proyecto ids) whose activity the user sees; None for everything."""
    if access.is_platform_admin:
        return None
    return (
        access.workspace_ids(Action.VIEW, Kind.ACTIVIDAD),
        access.proyecto_ids(Action.VIEW, Kind.ACTIVIDAD),
    )


def _scoped_activity(scope):
    rows = Actividad.objects.all()
    if scope is not None:
        workspaces, proyectos = scope
        rows = rows.filter(Q(workspace_id__in=workspaces) | Q(proyecto_id__in=proyectos))
    return rows


def latest_activity(access, limit=LATEST_ACTIVITY):
    """The newest activity rows the user may see, read from the feed indexes."""
    scope = _feed_scope(access)
    related = ("user", "proyecto", "workspace")
    order = ("-created_at", "-id")
    if scope is not None and not (scope[0] or scope[1]):
        return []
    branches = None if scope is None else len(scope[0]) + len(scope[1])
    connection = connections[Actividad.objects.db]
    if branches and 1 < branches <= MAX_FEED_BRANCHES and connection.vendor == "postgresql":
        # One index range per workspace and project, merged: an OR of them would walk
        # the whole trail newest-first when the user's workspaces are quiet ones.
        parts = [
            Actividad.objects.filter(workspace_id=ws).order_by(*order).values("pk")[:limit]
            for ws in scope[0]
        ] + [
            Actividad.objects.filter(proyecto_id=p).order_by(*order).values("pk")[:limit]
            for p in scope[1]
        ]
        ids = parts[0].union(*parts[1:], all=True)
        rows = Actividad.objects.filter(pk__in=Subquery(ids))
    else:
        rows = _scoped_activity(scope)
    return list(rows.select_related(*related).order_by(*order)[:limit])


def _week_start(moment):
    local = timezone.localtime(moment).date()
    return local - timedelta(days=local.weekday())


def _weeks_key(scope):
    if scope is None:
        return "tablero:semanas:todo"
    workspaces, proyectos = scope
    ids = ",".join(sorted(map(str, workspaces))) + "|" + ",".join(sorted(map(str, proyectos)))
    return f"tablero:semanas:{hashlib.sha256(ids.encode()).hexdigest()[:32]}"


def weekly_activity(access, *, now=None):
    """Activity rows per week, the last WEEKS weeks (Monday to Sunday, local time).

    Each week is counted up to WEEK_COUNT_CAP rows (an index range that stops
    there); a week past the cap shows PostgreSQL's estimate for it instead.
    Cached per scope for DASHBOARD_CACHE_SECONDS.
    """
    now = now or timezone.now()
    scope = _feed_scope(access)
    if scope is not None and not (scope[0] or scope[1]):
        return []
    first = _week_start(now) - timedelta(weeks=WEEKS - 1)
    key = f"{_weeks_key(scope)}:{first.isoformat()}"
    cached = cache.get(key)
    if cached is not None:
        return [Week(*week) for week in cached]
    tz = timezone.get_current_timezone()
    starts = [first + timedelta(weeks=i) for i in range(WEEKS + 1)]
    bounds = [timezone.make_aware(datetime.combine(day, time.min), tz) for day in starts]
    ranges = [
        _scoped_activity(scope).filter(created_at__gte=bounds[i], created_at__lt=bounds[i + 1])
        for i in range(WEEKS)
    ]
    counts = _bounded_counts(ranges, WEEK_COUNT_CAP)
    weeks = [Week(starts[i], counts[i]) for i in range(WEEKS)]
    capped = [i for i, week in enumerate(weeks) if week.count > WEEK_COUNT_CAP]
    if capped:
        estimates = _estimates(ranges)
        for i in capped:
            if estimates is None:
                weeks[i].count, weeks[i].estimated = WEEK_COUNT_CAP, True
            else:
                weeks[i].count, weeks[i].estimated = max(estimates[i], WEEK_COUNT_CAP), True
    cache.set(key, [(w.start, w.count, w.estimated) for w in weeks], _cache_seconds())
    return weeks


def _bounded_counts(querysets, cap):
    """COUNT(*) of each queryset, stopping at cap + 1 rows, in one statement."""
    connection = connections[querysets[0].db]
    parts, params = [], []
    for i, queryset in enumerate(querysets):
        sql, part_params = queryset.order_by().values("pk")[: cap + 1].query.sql_with_params()
        parts.append(f"SELECT {i} AS i, COUNT(*) AS n FROM ({sql}) AS rows_{i}")
        params.extend(part_params)
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        return [n for _i, n in sorted(cursor.fetchall())]


def _estimates(querysets):
    """The planner's row estimate for each queryset (PostgreSQL), from one EXPLAIN; else None."""
    connection = connections[querysets[0].db]
    if connection.vendor != "postgresql":
        return None
    parts, params = [], []
    for queryset in querysets:
        sql, part_params = queryset.order_by().values("pk").query.sql_with_params()
        parts.append(f"({sql})")
        params.extend(part_params)
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (FORMAT JSON) " + " UNION ALL ".join(parts), params)
        plan = cursor.fetchone()[0]
    plan = json.loads(plan) if isinstance(plan, str) else plan
    return [int(child["Plan Rows"]) for child in plan[0]["Plan"]["Plans"]]
