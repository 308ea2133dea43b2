"""Read replica routing: reads go to the replica, writes and migrations to the primary."""


class ReplicaRouter:
    """Installed only when DATABASE_REPLICA_URL is set (see settings).

    A replica lags the primary slightly: code that must read its own write just
    made uses `.using("default")`.
    """

    def db_for_read(self, model, **hints):
        return "replica"

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True  # both aliases hold the same data

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == "default"
