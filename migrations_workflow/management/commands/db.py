"""`manage.py db`: every workflow of the migration guide (db_migrate.py, Alembic) in one place."""

import sys

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS

import migrations_workflow as workflow
from migrations_workflow.lint import lint
from migrations_workflow.plans import refuse_irreversible
from migrations_workflow.revisions import WorkflowError


def _steps(text, sign):
    """`+2` / `-2` / `2` as a number of steps."""
    cleaned = text[1:] if text[:1] in "+-" else text
    if text[:1] not in ("", sign, *"0123456789") or not cleaned.isdigit() or int(cleaned) < 1:
        raise CommandError(f"Expected {sign}N steps (e.g. {sign}1), not {text!r}.")
    return int(cleaned)


class Command(BaseCommand):
    help = (
        "Migration workflows: init, create, upgrade, downgrade, history, current, sql, "
        "stamp, backup, restore, lint. `db SUBCOMMAND --help` explains each."
    )

    def add_arguments(self, parser):
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)
        sub = parser.add_subparsers(dest="subcommand", required=True, metavar="SUBCOMMAND")

        init = sub.add_parser("init", help="Create the whole schema on an empty database.")

        create = sub.add_parser("create", help="Write a new migration (makemigrations -n NAME).")
        create.add_argument("name", help="what the migration does, e.g. add_user_phone")
        create.add_argument("--app", help="only this app (required with --empty)")
        create.add_argument(
            "--empty", action="store_true", help="an empty migration to fill by hand"
        )

        upgrade = sub.add_parser(
            "upgrade", help="Apply migrations: all, +N steps, or to a revision."
        )
        upgrade.add_argument("steps", nargs="?", help="+N: only the next N migrations")
        upgrade.add_argument("--revision", help="APP.MIGRATION to stop at")
        upgrade.add_argument(
            "--backup", action="store_true", help="back up first, print the rollback"
        )
        upgrade.add_argument("--output", help="where to write that backup")

        downgrade = sub.add_parser(
            "downgrade", help="Unapply the last applied migration (or -N, a revision, base)."
        )
        downgrade.add_argument("steps", nargs="?", help="-N steps, or `base` to unapply everything")
        downgrade.add_argument(
            "--revision", help="APP.MIGRATION to go back to (APP.zero: all of APP)"
        )
        downgrade.add_argument("--yes", action="store_true", help="do not ask for confirmation")

        history = sub.add_parser("history", help="Every migration in order, applied or not.")
        history.add_argument(
            "--verbose", "-V", action="store_true", help="with each one's operations"
        )

        current = sub.add_parser(
            "current",
            help="What is applied; exits 1 if the database or migrations are behind, or an "
            "index is INVALID.",
        )

        sql = sub.add_parser("sql", help="The SQL of the pending plan, to review or run with psql.")
        sql.add_argument("steps", nargs="?", help="+N (upgrade) or -N (with --backwards)")
        sql.add_argument("--revision", help="APP.MIGRATION to stop at")
        sql.add_argument("--backwards", action="store_true", help="the SQL of a downgrade instead")
        sql.add_argument("--base", action="store_true", help="with --backwards: down to nothing")
        sql.add_argument("--output", "-o", help="write to this file instead of the screen")

        stamp = sub.add_parser("stamp", help="Record a state without running it (migrate --fake).")
        stamp.add_argument("revision", help="`head` or APP.MIGRATION (APP.zero)")
        stamp.add_argument(
            "--purge-unknown",
            action="store_true",
            help="forget applied migrations that no longer exist in the code",
        )

        backup = sub.add_parser("backup", help="Back up the database, with a manifest.")
        backup.add_argument("--output", help="file to write (default: backups/<db>-<time>.*)")

        restore = sub.add_parser("restore", help="Restore a backup after checking its checksum.")
        restore.add_argument("path")
        restore.add_argument("--yes", action="store_true", help="do not ask for confirmation")

        lint = sub.add_parser(
            "lint", help="Check new migrations' PostgreSQL SQL for dangerous operations."
        )
        # Each subcommand runs its own method, named here (not looked up by name).
        for subparser, run in (
            (init, self.do_init), (create, self.do_create), (upgrade, self.do_upgrade),
            (downgrade, self.do_downgrade), (history, self.do_history),
            (current, self.do_current), (sql, self.do_sql), (stamp, self.do_stamp),
            (backup, self.do_backup), (restore, self.do_restore), (lint, self.do_lint),
        ):  # fmt: skip
            subparser.set_defaults(run=run)

    def handle(self, *args, subcommand, database, run, **options):
        self.using = database
        try:
            run(**options)
        except WorkflowError as error:
            raise CommandError(str(error)) from error

    # -- subcommands ----------------------------------------------------------

    def do_init(self, **options):
        state = workflow.current(self.using, check_models=False)
        if any(state.applied_heads.values()):
            raise CommandError("The database already has a schema: use `db upgrade`.")
        self._apply(workflow.forward_plan(using=self.using))
        self.stdout.write(self.style.SUCCESS("Schema created."))
        self.stdout.write(
            "Next: `python manage.py seed_demo` for the demo data, or createsuperuser."
        )

    def do_create(self, *, name, app, empty, **options):
        if empty and not app:
            raise CommandError("--empty needs --app.")
        state = workflow.current(self.using, check_models=True)
        if not empty and not state.model_changes:
            raise CommandError(
                "No model changes to migrate. Change a model first, or pass --empty --app APP "
                "for a migration written by hand."
            )
        call_command("makemigrations", *([app] if app else []), name=name, empty=empty)

    def do_upgrade(self, *, steps, revision, backup, output, **options):
        count = _steps(steps, "+") if steps else None
        plan = workflow.forward_plan(steps=count, revision=revision, using=self.using)
        if not plan:
            self.stdout.write("Nothing to apply: the database is up to date.")
            return
        if backup:
            path, _manifest = workflow.backup(output, using=self.using)
            self.stdout.write(f"Backed up to {path}.")
            self.stdout.write(f"To roll back: {workflow.rollback_command(path)}")
        self._apply(plan)

    def do_downgrade(self, *, steps, revision, yes, **options):
        base = steps == "base"
        count = 1 if base or not steps else _steps(steps, "-")
        plan = workflow.backward_plan(steps=count, revision=revision, base=base, using=self.using)
        if not plan:
            self.stdout.write("Nothing to unapply.")
            return
        self.stdout.write("This will unapply, in order:")
        for migration, _backwards in plan:
            self.stdout.write(f"  {migration.app_label}.{migration.name}")
        refuse_irreversible(plan)
        if not yes and not self._confirm():
            raise CommandError("Downgrade cancelled.")
        self._apply(plan)

    def do_history(self, *, verbose, **options):
        for entry in workflow.history(self.using):
            when = entry.applied_at.isoformat(timespec="seconds") if entry.applied_at else "-"
            mark = "[X]" if entry.applied_at else "[ ]"
            self.stdout.write(f"{mark} {entry.label:55} {when}")
            if verbose:
                for operation in entry.operations:
                    self.stdout.write(f"      - {operation}")

    def do_current(self, **options):
        state = workflow.current(self.using)
        for app_label, head in state.applied_heads.items():
            self.stdout.write(f"{app_label:15} {head or '(none)'}")
        if state.pending:
            self.stdout.write(self.style.WARNING("Target database is not up to date. Pending:"))
            for key in state.pending:
                self.stdout.write(f"  {workflow.migration_label(key)}")
        if state.unknown:
            self.stdout.write(
                self.style.WARNING(
                    "Applied in the database but missing from the code (stamp --purge-unknown):"
                )
            )
            for key in state.unknown:
                self.stdout.write(f"  {workflow.migration_label(key)}")
        if state.model_changes:
            self.stdout.write(
                self.style.WARNING("Models have changes with no migration: run `db create NAME`.")
            )
        if state.invalid_indexes:
            self.stdout.write(
                self.style.WARNING(
                    "INVALID indexes, left by a concurrent build that failed or was killed "
                    "(`db upgrade` rebuilds those of a pending migration; REINDEX INDEX "
                    "CONCURRENTLY the others):"
                )
            )
            for index in state.invalid_indexes:
                self.stdout.write(f"  {index}")
        if not state.up_to_date:
            sys.exit(1)
        self.stdout.write(self.style.SUCCESS("Up to date."))

    def do_sql(self, *, steps, revision, backwards, base, output, **options):
        if backwards:
            count = _steps(steps, "-") if steps else 1
            script = workflow.sql_for_downgrade(
                steps=count, revision=revision, base=base, using=self.using
            )
        else:
            count = _steps(steps, "+") if steps else None
            if not workflow.forward_plan(steps=count, revision=revision, using=self.using):
                self.stdout.write("Nothing pending: the database is up to date; no SQL to run.")
                return
            script = workflow.sql_for_upgrade(steps=count, revision=revision, using=self.using)
        if output:
            with open(output, "w", encoding="utf-8") as handle:
                handle.write(script)
            self.stdout.write(f"Wrote {output}.")
        else:
            self.stdout.write(script, ending="")

    def do_stamp(self, *, revision, purge_unknown, **options):
        removed = workflow.stamp(revision, using=self.using, purge_unknown=purge_unknown)
        for key in removed:
            self.stdout.write(f"Forgot {workflow.migration_label(key)} (not in the code).")
        self.stdout.write(self.style.SUCCESS(f"Stamped {revision}; nothing was run."))

    def do_backup(self, *, output, **options):
        path, manifest = workflow.backup(output, using=self.using)
        rows = sum(manifest["row_counts"].values())
        self.stdout.write(self.style.SUCCESS(f"Backed up {rows} rows to {path}"))
        self.stdout.write(f"Manifest: {workflow.manifest_path(path)} (sha256 {manifest['sha256']})")
        self.stdout.write(f"To restore: {workflow.rollback_command(path)}")

    def do_restore(self, *, path, yes, **options):
        manifest = workflow.check_backup(path, using=self.using)
        self.stdout.write(
            f"Backup of {manifest['database']} taken {manifest['created_at']} "
            f"({sum(manifest['row_counts'].values())} rows), checked on a throwaway copy. "
            "The current data will be replaced."
        )
        if not yes and not self._confirm():
            raise CommandError("Restore cancelled.")
        workflow.restore(path, using=self.using, checked=manifest)
        self.stdout.write(self.style.SUCCESS("Restored; every table has the manifest's row count."))

    def do_lint(self, **options):
        problems = lint(using=self.using, write=self.stdout.write)
        if problems:
            raise CommandError(f"{problems} migration(s) with dangerous operations (see above).")
        self.stdout.write(self.style.SUCCESS("No dangerous operations in new migrations."))

    # -- helpers --------------------------------------------------------------

    def _apply(self, plan):
        running = []

        def progress(action, migration=None, fake=False):
            if action in ("apply_start", "unapply_start"):
                running[:] = [migration]
                verb = "Applying" if action == "apply_start" else "Unapplying"
                self.stdout.write(f"  {verb} {migration.app_label}.{migration.name}...", ending="")
                self.stdout.flush()
            elif action in ("apply_success", "unapply_success"):
                self.stdout.write(self.style.SUCCESS(" OK"))

        try:
            workflow.run_plan(plan, using=self.using, progress=progress)
        except WorkflowError:
            raise
        except Exception as error:  # whatever the migration raised: report, then explain
            self.stdout.write(self.style.ERROR(" FAILED"))
            if running and not running[0].atomic:
                # CREATE INDEX CONCURRENTLY cannot run in a transaction: nothing to roll back.
                outcome = (
                    "The failed migration is not atomic: what it did before failing stays, and "
                    "the next `db upgrade` runs it again (rebuilding an INVALID index it left)"
                )
            else:
                outcome = "The failed migration was rolled back"
            raise CommandError(f"{error}\n{outcome}; `db current` shows where it is.") from error

    def _confirm(self):
        if not sys.stdin.isatty():
            raise CommandError("Not a terminal: pass --yes to confirm.")
        return input("Proceed? [y/N] ").strip().lower() in ("y", "yes", "s", "si", "sí")
