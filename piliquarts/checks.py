"""System checks of the database settings that only fail later, under load (PgBouncer)."""

from django.conf import settings
from django.core.checks import Error, register


@register()
def pgbouncer_transaction_pooling(app_configs=None, **kwargs):
    """Refuse what PgBouncer's transaction pooling cannot carry from one transaction to the next.

    Server-side binding prepares statements on the server connection of the moment;
    the next transaction may get another server connection, which has never heard
    of them ("prepared statement ... does not exist"). PgBouncer >= 1.21 tracks
    them itself when `max_prepared_statements` > 0: PGBOUNCER_PREPARED_STATEMENTS.
    """
    return pgbouncer_errors(
        settings.DATABASES,
        pooling=settings.PGBOUNCER_TRANSACTION_POOLING,
        prepared_statements=settings.PGBOUNCER_PREPARED_STATEMENTS,
    )


def pgbouncer_errors(databases, *, pooling, prepared_statements):
    if not pooling:
        return []
    errors = []
    for alias, config in databases.items():
        if "postgresql" not in config["ENGINE"]:
            continue
        options = config.get("OPTIONS", {})
        if options.get("server_side_binding") and not prepared_statements:
            errors.append(
                Error(
                    f"DATABASES[{alias!r}] binds parameters on the server (prepared "
                    "statements) behind PgBouncer in transaction mode.",
                    hint="Turn DATABASE_SERVER_SIDE_BINDING off, or run PgBouncer 1.21+ "
                    "with max_prepared_statements > 0 and set "
                    "PGBOUNCER_PREPARED_STATEMENTS=true.",
                    id="piliquarts.E001",
                )
            )
        if not config.get("DISABLE_SERVER_SIDE_CURSORS"):
            errors.append(
                Error(
                    f"DATABASES[{alias!r}] uses server-side cursors behind PgBouncer in "
                    "transaction mode: `.iterator()` would lose its cursor between "
                    "transactions.",
                    hint="Set DISABLE_SERVER_SIDE_CURSORS = True for this database.",
                    id="piliquarts.E002",
                )
            )
    return errors
