"""`manage.py flush`, which empties every table, the audit trail included.

The audit trail's triggers refuse DELETE and TRUNCATE (auditoria/migrations/0003);
emptying the whole database is the one deliberate purge they let through, so
the test runner's flush between transactional tests keeps working.
"""

from django.core.management.commands import flush

from auditoria.services import audit_purge_allowed


class Command(flush.Command):
    help = flush.Command.help + " The audit trail is emptied too (its triggers allow it here)."

    def handle(self, **options):
        with audit_purge_allowed(options["database"]):
            return super().handle(**options)
