"""Read replica routing: reads go to the replica, writes and migrations to the primary.

A read goes to the primary instead when
- it runs inside a transaction on the primary (it must see that transaction),
- this request, command or session wrote a moment ago (read-your-writes: the
  request's context is pinned after its first write, and ReplicaMiddleware keeps
  a browser pinned for REPLICA_READ_YOUR_WRITES_SECONDS after a request that wrote),
- or the replica is unreachable or lags more than REPLICA_MAX_LAG_SECONDS; that
  is checked at most once every REPLICA_CHECK_SECONDS per process, and logged
  when it changes.
"""

import contextvars
import logging
import threading
import time

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections

REPLICA = "replica"
COOKIE = "pq_read_primary"
logger = logging.getLogger(__name__)

# Per request (or command): whether it reads the primary, and whether it wrote.
_pinned = contextvars.ContextVar("piliquarts_read_primary", default=False)
_wrote = contextvars.ContextVar("piliquarts_wrote", default=False)

# Statements that change nothing. Asking for the write database is not writing:
# the admin opens a transaction on it to show a change form.
_READ_ONLY = ("SELECT", "SAVEPOINT", "RELEASE", "ROLLBACK", "SET", "SHOW", "EXPLAIN")


def _note_writes(execute, sql, params, many, context):
    if not sql.lstrip().upper().startswith(_READ_ONLY):
        _wrote.set(True)
    return execute(sql, params, many, context)


def pin_to_primary():
    _pinned.set(True)


def pinned():
    return _pinned.get()


def start_unit_of_work(read_primary=False):
    """A new request starts unpinned, unless its browser wrote a moment ago."""
    _pinned.set(read_primary)
    _wrote.set(False)


class ReplicaHealth:
    """Whether the replica may serve reads now: reachable and lagging little enough.

    Lag is measured on the replica alone: zero when it has replayed all it has
    received, else the time since the last transaction it replayed committed.
    """

    def __init__(self):
        self._lock = threading.Lock()
        self.checked_at = float("-inf")
        self.usable = True
        self.reason = ""

    def reset(self):
        with self._lock:
            self.checked_at, self.usable, self.reason = float("-inf"), True, ""

    def mark_down(self, reason):
        with self._lock:
            self._set(False, reason)
            self.checked_at = time.monotonic()

    def ok(self):
        if time.monotonic() - self.checked_at < settings.REPLICA_CHECK_SECONDS:
            return self.usable
        with self._lock:
            if time.monotonic() - self.checked_at >= settings.REPLICA_CHECK_SECONDS:
                self._set(*self._check())
                self.checked_at = time.monotonic()
            return self.usable

    def _check(self):
        connection = connections[REPLICA]
        try:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pg_is_in_recovery(), CASE "
                    "WHEN pg_last_wal_receive_lsn() IS NULL THEN NULL "
                    "WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0 "
                    "ELSE EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()) END"
                )
                in_recovery, lag = cursor.fetchone()
        except DatabaseError as error:
            connection.close()
            return False, f"unreachable ({str(error).strip().splitlines()[0]})"
        if not in_recovery:
            return True, ""  # promoted: it is a primary now, and up to date
        if lag is None:
            return False, "not streaming from the primary"
        if lag > settings.REPLICA_MAX_LAG_SECONDS:
            return False, f"{lag:.1f} s behind (limit {settings.REPLICA_MAX_LAG_SECONDS} s)"
        return True, ""

    def _set(self, usable, reason):
        if usable != self.usable:
            if usable:
                logger.warning("Replica usable again: reads go back to it.")
            else:
                logger.warning("Replica %s: reading from the primary.", reason)
        self.usable, self.reason = usable, reason


health = ReplicaHealth()


class ReplicaRouter:
    """Installed only when DATABASE_REPLICA_URL is set (see settings)."""

    def db_for_read(self, model, **hints):
        if pinned() or connections[DEFAULT_DB_ALIAS].in_atomic_block or not health.ok():
            return DEFAULT_DB_ALIAS
        return REPLICA

    def db_for_write(self, model, **hints):
        pin_to_primary()
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        return True  # both aliases hold the same data

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == DEFAULT_DB_ALIAS


class ReplicaMiddleware:
    """Read-your-writes across requests, and a replica failing mid-request never an error page.

    A request that wrote sets a cookie that sends the browser's next requests to
    the primary for REPLICA_READ_YOUR_WRITES_SECONDS, longer than the replica's
    usual lag. A safe request whose read failed on the replica runs once more on
    the primary.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        start_unit_of_work(read_primary=bool(request.COOKIES.get(COOKIE)))
        with connections[DEFAULT_DB_ALIAS].execute_wrapper(_note_writes):
            response = self.get_response(request)
        if _wrote.get():
            response.set_cookie(
                COOKIE,
                "1",
                max_age=settings.REPLICA_READ_YOUR_WRITES_SECONDS,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        return response

    def process_exception(self, request, exception):
        if not isinstance(exception, DatabaseError) or request.method not in ("GET", "HEAD"):
            return None
        if pinned() or not connections[REPLICA].errors_occurred:
            return None
        connections[REPLICA].close()
        health.mark_down(f"failed during a request ({str(exception).strip().splitlines()[0]})")
        pin_to_primary()
        return self.get_response(request)
