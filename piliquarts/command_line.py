"""`manage.py` faults of the configuration or the database said in one sentence, not a traceback.

A command that cannot reach its database, or finds no schema there, fails the same
way whichever command it is (Django's own or ours): Django lets those exceptions
through `BaseCommand.run_from_argv`, so they are answered here, around the whole
command line. Anything else (a bug) keeps its traceback, and so does every fault
under `--traceback`. Tests call commands directly (`call_command`) and see the
exceptions themselves.
"""

import re
import sys

from django.core.exceptions import ImproperlyConfigured
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.utils import OperationalError, ProgrammingError


def execute(argv):
    """`execute_from_command_line(argv)`, with a known fault as one line and exit status 1."""
    from django.core.management import execute_from_command_line

    try:
        execute_from_command_line(argv)
    except Exception as error:
        sentence = None if "--traceback" in argv else explain(error)
        if sentence is None:
            raise
        sys.stderr.write(f"Error: {sentence}\n")
        sys.exit(1)


def explain(error):
    """One sentence saying what went wrong and what to do, or None if `error` is not a
    fault of the configuration or the database (then the traceback is the answer)."""
    if isinstance(error, ImproperlyConfigured):
        return " ".join(str(error).split())
    if not isinstance(error, OperationalError | ProgrammingError):
        return None
    text = str(error)
    table = re.search(r'relation "([^"]+)" does not exist|no such table: (\S+)', text)
    if table and _migrations_pending():
        name = table.group(1) or table.group(2)
        return (
            f"The database has no table {name}: its schema is missing or behind; "
            "run `python manage.py migrate` first."
        )
    if text.startswith("connection failed:") or "connection to server" in text:
        return _postgresql_connection(text)
    return _sqlite_file(text)


def _migrations_pending():
    """True when the database is behind the code: a missing table is then no bug."""
    from django.db.migrations.executor import MigrationExecutor

    connection = connections[DEFAULT_DB_ALIAS]
    try:
        executor = MigrationExecutor(connection)
        return bool(executor.migration_plan(executor.loader.graph.leaf_nodes()))
    except Exception:  # cannot tell: keep the traceback
        return False
    finally:
        connection.close()


def _postgresql_connection(text):
    """A PostgreSQL connection that failed: the server, the database or the login."""
    config = connections[DEFAULT_DB_ALIAS].settings_dict
    where = re.search(r'server at "([^"]+)"(?: \([^)]*\))?, port (\d+)|on socket "([^"]+)"', text)
    if where:
        server = where.group(3) or f"{where.group(1)}:{where.group(2)}"
    else:
        server = f"{config.get('HOST') or 'localhost'}:{config.get('PORT') or 5432}"
    if database := re.search(r'database "([^"]+)" does not exist', text):
        name = database.group(1)
        return (
            f'The database "{name}" does not exist on the PostgreSQL server at {server}: '
            f"create it (createdb {name}) or fix DATABASE_URL."
        )
    if login := re.search(r'(?:authentication failed for|role) (?:user )?"([^"]+)"', text):
        return (
            f'The PostgreSQL server at {server} refused the login of "{login.group(1)}": '
            "check the user and password in DATABASE_URL."
        )
    reason = text.rsplit("failed:", 1)[-1].strip().splitlines()[0].strip()
    return (
        f"Cannot reach the PostgreSQL server at {server} ({reason}): "
        "is it running, and is DATABASE_URL right?"
    )


def _sqlite_file(text):
    """A SQLite database file that cannot be used, or None for other database errors."""
    config = connections[DEFAULT_DB_ALIAS].settings_dict
    if config.get("ENGINE") != "django.db.backends.sqlite3":
        return None
    name = config.get("NAME")
    if "unable to open database file" in text:
        return (
            f"Cannot open the SQLite database {name}: its folder does not exist or is not "
            "writable (DATABASE_URL)."
        )
    if "file is not a database" in text:
        return f"{name} is not a SQLite database file (DATABASE_URL)."
    if "database is locked" in text:
        return (
            f"The SQLite database {name} stayed locked by another process (a long write "
            "or another command): try again when it has finished."
        )
    return None
