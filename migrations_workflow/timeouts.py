"""PostgreSQL lock and statement timeouts around a migration run."""

import contextlib

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS

from migrations_workflow.revisions import connection_for


def timeout_settings():
    """{parameter: value} from settings MIGRATION_LOCK_TIMEOUT / MIGRATION_STATEMENT_TIMEOUT."""
    return {
        "lock_timeout": settings.MIGRATION_LOCK_TIMEOUT,
        "statement_timeout": settings.MIGRATION_STATEMENT_TIMEOUT,
    }


@contextlib.contextmanager
def migration_timeouts(using=DEFAULT_DB_ALIAS):
    """Session timeouts while migrating, so a migration stuck behind a lock fails fast
    instead of queueing every other query of the site behind its own lock request."""
    connection = connection_for(using)
    if connection.vendor != "postgresql":
        yield
        return
    wanted = timeout_settings()
    with connection.cursor() as cursor:
        before = {}
        for parameter, value in wanted.items():
            cursor.execute("SELECT current_setting(%s)", [parameter])
            before[parameter] = cursor.fetchone()[0]
            cursor.execute("SELECT set_config(%s, %s, false)", [parameter, value])
    try:
        yield
    finally:
        # A failed migration may have closed the connection, or the server killed it; a
        # new one has the defaults.
        if (
            connection.connection is not None
            and not connection.needs_rollback
            and connection.is_usable()
        ):
            with connection.cursor() as cursor:
                for parameter, value in before.items():
                    cursor.execute("SELECT set_config(%s, %s, false)", [parameter, value])
