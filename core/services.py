"""The one write path: services run in a transaction, and their refusals are `DomainError`.

Every change of data — from the admin, a command, a loader — is a call to a
function decorated with `@service`: it runs in one transaction with the
audit row it writes, a deadlock or serialization failure is retried once,
and whatever it refuses (a rule, a constraint the database enforces, a
conflict with someone else's change) reaches the caller as one exception
type, `DomainError`, with a Spanish message a person can act on.
"""

import functools
import logging
import random
import re
import time
from contextlib import ExitStack, contextmanager
from contextvars import ContextVar

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import (
    DEFAULT_DB_ALIAS,
    DataError,
    IntegrityError,
    OperationalError,
    connections,
    transaction,
)
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

# How many services are running in this thread (or task): writes are allowed while > 0.
_depth = ContextVar("service_depth", default=0)
# What to undo outside the database (stored files) if the outermost transaction fails.
_undo = ContextVar("service_undo", default=None)

# SQLSTATEs of a conflict between two transactions, worth one more try.
CONFLICT_CODES = frozenset({"40P01", "40001"})  # deadlock_detected, serialization_failure
# The loser waits this long (seconds, at random) before its second try: the winner,
# already queued for the row the loser held, takes it first instead of racing the
# retry to it and deadlocking both once more.
RETRY_PAUSE = (0.02, 0.08)


class DomainError(ValidationError):
    """A service refused the change; nothing was written.

    A `ValidationError`, so it carries a message or a {field: messages} dict
    that forms show where they belong; the admin turns it into form errors or
    a message, a command into one sentence.
    """

    @classmethod
    def wrap(cls, error):
        return error if isinstance(error, cls) else cls(error)

    @property
    def sentence(self):
        """The messages as one sentence, for a person (the admin's messages)."""
        return " ".join(self.messages)

    def __str__(self):
        """The messages with the fields they are about, for commands and logs."""
        if not hasattr(self, "error_dict"):
            return self.sentence
        return "; ".join(
            " ".join(ValidationError(errors).messages)
            if field == "__all__"
            else f"{field}: {' '.join(ValidationError(errors).messages)}"
            for field, errors in self.error_dict.items()
        )


def in_service():
    """Is a service running in this thread? (Writes outside one are a bug: see `WriteGuard`.)"""
    return _depth.get() > 0


def _is_conflict(error):
    return getattr(error.__cause__, "sqlstate", None) in CONFLICT_CODES


def _constraint_messages():
    """{constraint name: its violation message} of every model, for refusals by the database."""
    messages = {}
    for model in apps.get_models():
        for constraint in model._meta.constraints:
            messages[constraint.name] = constraint.get_violation_error_message()
    return messages


def integrity_message(error):
    """The readable message of the constraint an IntegrityError names, or a general one."""
    text = str(error)
    for name, message in _constraint_messages().items():
        if name in text:
            return message
    return _("El cambio contradice una regla de los datos y no se guardó.")


def on_failure(callback):
    """Run `callback` if the outermost service (or `unit_of_work`) fails: undo outside the DB."""
    pending = _undo.get()
    if pending is not None:
        pending.append(callback)


@contextmanager
def unit_of_work():
    """Collect undo callbacks (stored files) and run them if the block fails.

    The outermost service opens one; the admin opens one around a whole page,
    so a file stored by a service and then rolled back with the page goes too.
    """
    if _undo.get() is not None:
        yield
        return
    pending = []
    token = _undo.set(pending)
    try:
        yield
    except BaseException:
        for callback in reversed(pending):
            try:
                callback()
            except Exception:  # an undo that fails must not hide the original error
                logger.exception("Could not undo %r after a failed change", callback)
        raise
    finally:
        _undo.reset(token)


def retry_conflicts(run, using=DEFAULT_DB_ALIAS):
    """`run()`, once more if it lost a deadlock; a second loss is a `DomainError`.

    Only the outermost transaction can be retried: inside another one, the
    conflict goes up to whoever opened it.
    """
    if connections[using].in_atomic_block:
        return run()
    try:
        return run()
    except OperationalError as error:
        if not _is_conflict(error):
            raise
        logger.warning("Retrying after a conflict with another transaction: %s", error)
    time.sleep(random.uniform(*RETRY_PAUSE))
    try:
        return run()
    except OperationalError as error:
        if not _is_conflict(error):
            raise
        raise DomainError(
            _("Otra persona estaba cambiando lo mismo en ese momento. Inténtelo de nuevo.")
        ) from error


def refuse_nul_characters(arguments):
    """Text with a NUL character is refused on both databases (PostgreSQL cannot store it)."""
    refused = {
        name: _("El texto contiene un carácter nulo (\\0), que no se admite.")
        for name, value in arguments.items()
        if isinstance(value, str) and "\x00" in value
    }
    if refused:
        raise DomainError(refused)


def service(func):
    """Make `func` a service: one transaction, retried once on a deadlock, refusals as DomainError.

    Database constraint violations become a `DomainError` with the constraint's
    own message, so a rule the database enforces reads like one Python checks.
    """

    @functools.wraps(func)
    def run_service(*args, **kwargs):
        refuse_nul_characters(kwargs)
        token = _depth.set(_depth.get() + 1)

        def attempt():
            with unit_of_work():
                try:
                    with transaction.atomic():
                        return func(*args, **kwargs)
                except ValidationError as error:
                    raise DomainError.wrap(error) from None
                except IntegrityError as error:
                    raise DomainError(integrity_message(error)) from error
                except DataError as error:
                    raise DomainError(
                        _("Un valor no se puede guardar: no cabe en su columna o no es válido.")
                    ) from error

        try:
            return retry_conflicts(attempt)
        finally:
            _depth.reset(token)

    return run_service


# -- keeping everyone on the one write path (installed by the tests) -------------------


class WriteOutsideService(AssertionError):
    """A domain table was written by code that is not a service."""


def domain_tables():
    """The tables of the product's own models: the ones only services may write."""
    return frozenset(
        model._meta.db_table
        for model in apps.get_models()
        if model._meta.app_label
        in {"accounts", "workspaces", "proyectos", "documentos", "auditoria"}
    )


# The statement forms that write a table, and where each names it.
WRITE_STATEMENT = re.compile(
    r"""^\s*(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|REPLACE\s+INTO|UPDATE(?:\s+OR\s+\w+)?
         |DELETE\s+FROM|COPY|TRUNCATE(?:\s+TABLE)?(?:\s+ONLY)?)\s+"?(\w+)"?""",
    re.IGNORECASE | re.VERBOSE,
)


def written_table(sql):
    """The table an INSERT/UPDATE/DELETE/REPLACE/COPY/TRUNCATE statement writes, or None."""
    match = WRITE_STATEMENT.match(sql)
    return match.group(1) if match else None


class WriteGuard:
    """An execute wrapper that fails loudly when a domain table is written outside a service."""

    def __init__(self):
        self.tables = domain_tables()

    def __call__(self, execute, sql, params, many, context):
        table = written_table(sql)
        if table in self.tables and not in_service():
            raise WriteOutsideService(f"{table} written outside a service: {sql[:200]}")
        return execute(sql, params, many, context)


@contextmanager
def writes_only_through_services():
    """Inside this block, any write to a domain table outside a service raises."""
    guard = WriteGuard()
    with ExitStack() as stack:
        for connection in connections.all():
            stack.enter_context(connection.execute_wrapper(guard))
        yield


def acting(user):
    """The acting user as a `created_by`/`deleted_by` value: None for scripts and anonymous."""
    return user if user is not None and user.is_authenticated else None
