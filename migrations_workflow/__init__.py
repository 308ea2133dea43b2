"""The migration guide's workflows on Django's migration framework (behind `manage.py db`).

Django already plans, applies and records migrations (MigrationExecutor,
MigrationLoader, MigrationRecorder); this package adds what the guide's
`db_migrate.py` had and Django lacks: a project-wide one-step downgrade, a
history with applied times, a deploy gate, the offline SQL of a whole plan,
stamping, backups with a manifest, and a lint for new migrations.
"""

from migrations_workflow.backups import (
    backup,
    check_backup,
    manifest_path,
    restore,
    rollback_command,
    row_counts,
    verify_backup,
)
from migrations_workflow.offline_sql import (
    sql_for_downgrade,
    sql_for_upgrade,
    sql_per_migration,
)
from migrations_workflow.plans import (
    backward_plan,
    forward_plan,
    irreversible_steps,
    run_plan,
    stamp,
)
from migrations_workflow.revisions import (
    WorkflowError,
    executor,
    migration_label,
    parse_revision,
)
from migrations_workflow.state import current, history
from migrations_workflow.throwaway import throwaway_database
from migrations_workflow.timeouts import migration_timeouts

__all__ = [
    "WorkflowError",
    "backup",
    "backward_plan",
    "check_backup",
    "current",
    "executor",
    "forward_plan",
    "history",
    "irreversible_steps",
    "manifest_path",
    "migration_label",
    "migration_timeouts",
    "parse_revision",
    "restore",
    "rollback_command",
    "row_counts",
    "run_plan",
    "sql_for_downgrade",
    "sql_for_upgrade",
    "sql_per_migration",
    "stamp",
    "throwaway_database",
    "verify_backup",
]
