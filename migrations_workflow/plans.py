"""Moving the database forwards and backwards: plans, running them, stamping."""

from django.core.management import call_command
from django.core.management.sql import emit_post_migrate_signal, emit_pre_migrate_signal
from django.db import DEFAULT_DB_ALIAS
from django.db.migrations.recorder import MigrationRecorder

from migrations_workflow.revisions import (
    WorkflowError,
    connection_for,
    executor,
    migration_label,
    parse_revision,
)
from migrations_workflow.timeouts import migration_timeouts


def forward_plan(steps=None, revision=None, using=DEFAULT_DB_ALIAS):
    """What an upgrade would apply: all pending, the first `steps`, or up to `revision`."""
    ex = executor(using)
    graph = ex.loader.graph
    if revision:
        plan = ex.migration_plan([parse_revision(revision, graph)])
        if any(backwards for _migration, backwards in plan):
            raise WorkflowError(
                f"{revision} is behind the database: use `db downgrade --revision {revision}`."
            )
    else:
        plan = ex.migration_plan(graph.leaf_nodes())
    return plan if steps is None else plan[:steps]


def backward_plan(steps=1, revision=None, base=False, using=DEFAULT_DB_ALIAS):
    """The migrations a downgrade would unapply, dependants in other apps included.

    With no revision, one step is the migration applied last in the whole project
    (by the order `django_migrations` recorded them), whichever app it belongs to:
    Django itself can only go back per app.
    """
    ex = executor(using)
    graph = ex.loader.graph
    if base:
        return ex.migration_plan([(app_label, None) for app_label in {k[0] for k in graph.nodes}])
    if revision:
        plan = ex.migration_plan([parse_revision(revision, graph)])
        if any(not backwards for _migration, backwards in plan):
            raise WorkflowError(
                f"{revision} is ahead of the database: use `db upgrade --revision`."
            )
        return plan
    records = MigrationRecorder(connection_for(using)).migration_qs.order_by("applied", "id")
    order = [(r.app, r.name) for r in records if (r.app, r.name) in graph.nodes]
    applied = dict(ex.loader.applied_migrations)
    plan = []
    for _ in range(steps):
        remaining = [key for key in order if key in applied]
        if not remaining:
            break
        last = remaining[-1]
        parents = sorted(p.key for p in graph.node_map[last].parents if p.key[0] == last[0])
        # Going back to its parent unapplies it and whatever applied depends on it.
        target = parents[0] if parents else (last[0], None)
        ex.loader.applied_migrations = applied
        step = ex.migration_plan([target])
        plan.extend(step)
        for migration, _backwards in step:
            applied.pop((migration.app_label, migration.name), None)
    return plan


def irreversible_steps(plan):
    """(migration, operation) pairs of a backwards plan that cannot be undone."""
    return [
        (migration, operation)
        for migration, backwards in plan
        if backwards
        for operation in migration.operations
        if not operation.reversible
    ]


def refuse_irreversible(plan):
    if problems := irreversible_steps(plan):
        lines = "\n".join(
            f"  {migration_label((m.app_label, m.name))}: {op.describe()} has no reverse"
            for m, op in problems
        )
        raise WorkflowError(
            "Refusing to downgrade: these steps cannot be reversed, nothing was changed:\n"
            f"{lines}\nGive them reverse code (RunPython.noop / reverse_sql) or restore a backup."
        )


def run_plan(plan, using=DEFAULT_DB_ALIAS, fake=False, progress=None):
    """Apply or unapply `plan` as `migrate` would: one transaction per atomic migration,
    pre/post-migrate signals emitted, lock and statement timeouts set on PostgreSQL."""
    if not plan:
        return
    if not fake:
        refuse_irreversible(plan)
    ex = executor(using, progress=progress)
    alias = connection_for(using).alias
    emit_pre_migrate_signal(0, False, alias)
    last, last_backwards = plan[-1]
    with migration_timeouts(using):
        state = ex.migrate(targets=[(last.app_label, last.name)], plan=plan, fake=fake)
    if last_backwards:
        # Django's backwards state starts before the plan's last migration in the global
        # order, which for several apps at once can still hold models just removed.
        state = executor(using)._create_project_state(with_applied_migrations=True)
    # As `migrate` does: receivers (content types, permissions) see the models as
    # the migrations left them, not as the code has them.
    state.clear_delayed_apps_cache()
    emit_post_migrate_signal(0, False, alias, apps=state.apps, plan=plan)


def stamp(revision, using=DEFAULT_DB_ALIAS, purge_unknown=False):
    """Record `revision` (or "head") as the state without running anything (`migrate --fake`).

    `purge_unknown` first forgets migrations recorded as applied that the code no
    longer has (a deleted branch): the guide's "Can't locate revision" case.
    Returns the keys it forgot.
    """
    connection = connection_for(using)
    graph = executor(using).loader.graph
    target = None if revision == "head" else parse_revision(revision, graph)
    removed = []
    if purge_unknown:
        recorder = MigrationRecorder(connection)
        apps_with_migrations = {key[0] for key in graph.nodes}
        for key in sorted(recorder.applied_migrations()):
            if key not in graph.nodes and key[0] in apps_with_migrations:
                recorder.record_unapplied(*key)
                removed.append(key)
    options = {"fake": True, "verbosity": 0, "database": connection.alias}
    if target is None:
        call_command("migrate", **options)
    else:
        call_command("migrate", target[0], target[1] or "zero", **options)
    return removed
