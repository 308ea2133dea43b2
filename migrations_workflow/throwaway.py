"""A new, empty database beside the real one, dropped afterwards."""

import contextlib
import shutil
import tempfile
import uuid
from pathlib import Path

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.utils import load_backend

from migrations_workflow.revisions import WorkflowError, connection_for

# Every throwaway PostgreSQL database's name carries this, so a leftover is recognisable.
MARKER = "_throwaway_"


@contextlib.contextmanager
def throwaway_database(using=DEFAULT_DB_ALIAS):
    """A connection to a new, empty database of the same engine and server as `using`.

    PostgreSQL: a database created from template0 (nothing added to template1 leaks
    in); SQLite: a file in a temporary folder. Registered under a fresh alias for
    this thread, since transactions look connections up by alias.
    """
    source = connection_for(using)
    config = {**source.settings_dict}
    folder = None
    if source.vendor == "postgresql":
        config["NAME"] = f"{config['NAME'][:40]}{MARKER}{uuid.uuid4().hex[:8]}"
        with source._nodb_cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{config["NAME"]}" TEMPLATE template0')
    elif source.vendor == "sqlite":
        folder = tempfile.mkdtemp(prefix="piliquarts-throwaway-")
        config["NAME"] = str(Path(folder) / "throwaway.sqlite3")
    else:
        raise WorkflowError(f"A throwaway database is not supported on {source.vendor}.")
    config.setdefault("OPTIONS", {})
    config["OPTIONS"] = {k: v for k, v in config["OPTIONS"].items() if k != "pool"}
    alias = f"throwaway_{uuid.uuid4().hex[:8]}"
    connection = load_backend(config["ENGINE"]).DatabaseWrapper(config, alias=alias)
    connections[alias] = connection
    try:
        yield connection
    finally:
        connection.close()
        del connections[alias]
        if folder:
            shutil.rmtree(folder, ignore_errors=True)
        else:
            with source._nodb_cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{config["NAME"]}" WITH (FORCE)')
