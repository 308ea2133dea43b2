"""Settings of the PILi Quarts data layer, read from the environment (and `.env`).

With no environment at all the project runs on an embedded SQLite file in DEBUG
mode; production sets DEBUG=False, a real SECRET_KEY, ALLOWED_HOSTS and a
PostgreSQL DATABASE_URL, and then `check --deploy` is clean.
"""

import os
import warnings
from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env")

DEBUG = env.bool("DEBUG", default=True)

# Only a DEBUG run may fall back to the development key.
DEV_SECRET_KEY = "django-insecure-dev-only-key-never-use-in-production"
# Read as-is: django-environ would treat a key starting with "$" as a reference
# to another variable, and random keys often do.
SECRET_KEY = os.environ.get("SECRET_KEY") or (DEV_SECRET_KEY if DEBUG else "")
if not SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")

ALLOWED_HOSTS = env.list(
    "ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"] if DEBUG else []
)
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    # django-axes, with Spanish names for its admin (accounts/apps.py).
    "accounts.apps.AxesConfig",
    "piliquarts",
    "admin_kit",
    "accounts",
    "workspaces",
    "proyectos",
    "documentos",
    "auditoria",
    # The home page; at the top of the import order: no app imports it.
    "tablero",
    # Tools for every app: `manage.py db`, `seed_demo`/`seed_bulk`, `erd`/`docs`/`reliability`.
    "migrations_workflow",
    "seeding",
    "docgen",
]

MIDDLEWARE = [
    # First: every line logged while answering carries the request's id.
    "piliquarts.logs.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Production serves its collected static files itself; runserver does it in DEBUG.
    *([] if DEBUG else ["whitenoise.middleware.WhiteNoiseMiddleware"]),
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "core.middleware.RefuseNulCharactersMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it answers locked-out logins.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "piliquarts.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # Project-wide overrides of the admin's own templates (admin/pagination.html).
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.csp",
            ],
        },
    },
]

WSGI_APPLICATION = "piliquarts.wsgi.application"
ASGI_APPLICATION = "piliquarts.asgi.application"


def database_url(variable, default):
    """The database `variable` names, or one sentence on why it is not a database URL."""
    url = env.str(variable, default=default)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # django-environ warns, then returns no engine
        try:
            config = env.db_url_config(url)
            problem = None
        except ValueError as error:  # e.g. a port that is not a number
            config, problem = {}, str(error)
    if not problem and not config.get("ENGINE"):
        problem = "no database engine in it"
    elif not problem and not config.get("NAME"):
        problem = "no database name in it"
    if problem:
        raise ImproperlyConfigured(
            f"{variable} is not a usable database URL ({problem}): write it as "
            "postgres://USER:PASSWORD@HOST:PORT/NAME or sqlite:///PATH."
        )
    return config


# The embedded default: a SQLite file inside the project, nothing to install.
DATABASES = {
    "default": database_url("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers work while a writer commits; IMMEDIATE takes the write
    # lock at BEGIN so two writers queue instead of failing mid-transaction.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "timeout": 20,
        }
    )
    if DATABASES["default"]["NAME"] != ":memory:":
        # Tests use a file beside it, not Django's in-memory default: threads then share
        # one database and queue for its write lock, as they do in production.
        database_file = Path(DATABASES["default"]["NAME"])
        DATABASES["default"].setdefault("TEST", {}).setdefault(
            "NAME", str(database_file.with_name(f"test_{database_file.name}"))
        )
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=0))
if env.bool("DATABASE_POOL", default=False):
    # psycopg's connection pool (PostgreSQL): connections are reused across requests
    # instead of opened per request; Django requires CONN_MAX_AGE = 0 with it.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": env.int("DATABASE_POOL_MIN_SIZE", default=2),
        "max_size": env.int("DATABASE_POOL_MAX_SIZE", default=10),
        "timeout": env.int("DATABASE_POOL_TIMEOUT", default=10),
    }
# PgBouncer in transaction mode between Django and PostgreSQL (docs/scaling.md): a
# transaction, not a session, owns a server connection, so nothing may outlive one.
PGBOUNCER_TRANSACTION_POOLING = env.bool("PGBOUNCER_TRANSACTION_POOLING", default=False)
# Only PgBouncer >= 1.21 with max_prepared_statements > 0 keeps prepared statements
# across transactions (Debian 12 ships 1.18); piliquarts.checks refuses them otherwise.
PGBOUNCER_PREPARED_STATEMENTS = env.bool("PGBOUNCER_PREPARED_STATEMENTS", default=False)
if env.bool("DATABASE_SERVER_SIDE_BINDING", default=False):
    DATABASES["default"].setdefault("OPTIONS", {})["server_side_binding"] = True
if PGBOUNCER_TRANSACTION_POOLING:
    # `.iterator()` would open a cursor WITH HOLD, which lives past its transaction.
    DATABASES["default"].setdefault("DISABLE_SERVER_SIDE_CURSORS", True)
# A streaming replica (piliquarts/routers.py): reads go to it, writes and migrations to
# the primary; a browser that wrote reads the primary for a while, and a replica that
# is down or lags too much is left aside until it is back.
REPLICA_READ_YOUR_WRITES_SECONDS = env.int("REPLICA_READ_YOUR_WRITES_SECONDS", default=10)
REPLICA_MAX_LAG_SECONDS = env.float("REPLICA_MAX_LAG_SECONDS", default=5.0)
REPLICA_CHECK_SECONDS = env.float("REPLICA_CHECK_SECONDS", default=1.0)
if env.str("DATABASE_REPLICA_URL", default=""):
    DATABASES["replica"] = env.db_url("DATABASE_REPLICA_URL")
    DATABASES["replica"].setdefault("CONN_MAX_AGE", DATABASES["default"]["CONN_MAX_AGE"])
    # The test run creates its database on the primary only; the replica receives it
    # by replication, and conftest.py points this alias at it there (MIRROR only
    # keeps Django from creating or flushing a database on a read-only server).
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["piliquarts.routers.ReplicaRouter"]
    # Before the session middleware, so that a session saved on the way out counts
    # as a write of this request.
    MIDDLEWARE.insert(
        MIDDLEWARE.index("django.contrib.sessions.middleware.SessionMiddleware"),
        "piliquarts.routers.ReplicaMiddleware",
    )

# `manage.py db` and `migrate` on PostgreSQL: a migration waiting longer than this for a
# lock gives up instead of blocking every query queued behind it.
MIGRATION_LOCK_TIMEOUT = env.str("MIGRATION_LOCK_TIMEOUT", default="5s")
MIGRATION_STATEMENT_TIMEOUT = env.str("MIGRATION_STATEMENT_TIMEOUT", default="15min")
# Migrations `manage.py db lint` lets through, each with the reason it is safe.
MIGRATION_LINT_ALLOW = {
    "documentos.0003_trash_checksums_same_project": (
        "ships before the first production deployment, on empty tables; on a loaded "
        "database, split it into NOT VALID foreign keys and a later VALIDATE"
    ),
    "documentos.0005_trash_deleted_by": (
        "ships with the trash (0003) before the first production deployment, on empty "
        "tables; on a loaded database, add the foreign keys NOT VALID and the indexes "
        "CONCURRENTLY"
    ),
    "documentos.0014_versions_unique_covering": (
        "the constraint is dropped and added again in one ALTER TABLE, on a unique index "
        "built CONCURRENTLY before it: no moment without it, no table scan under the lock"
    ),
}

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # First, so a locked-out login is refused before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "accounts.backends.EmailBackend",
]
# auth.W004 asks for `unique=True` on the email column; uniqueness is enforced
# case-insensitively instead, by the unique index on lower(email).
SILENCED_SYSTEM_CHECKS = ["auth.W004"]

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# The product speaks Spanish whatever the browser asks for (no LocaleMiddleware).
LANGUAGE_CODE = env.str("LANGUAGE_CODE", default="es")
TIME_ZONE = env.str("TIME_ZONE", default="America/Lima")
USE_I18N = True
USE_TZ = True
# The project's catalogue: what Django's and django-axes' own leave in English.
LOCALE_PATHS = [BASE_DIR / "locale"]
# 1 000 000, not 1000000 (the separator is the locale's: a non-breaking space in Spanish).
USE_THOUSAND_SEPARATOR = True

STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Compressed, content-hashed files served by WhiteNoise (after collectstatic);
    # the plain backend while developing, so no collectstatic is needed.
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# The largest file a person may upload (bytes): big enough for a set of construction
# drawings (a DWG or a scanned plan set of a few hundred pages), small enough that one
# upload cannot fill the disk. Refused as it streams in, before anything is stored.
UPLOAD_MAX_BYTES = env.int("UPLOAD_MAX_BYTES", default=200 * 1024 * 1024)
FILE_UPLOAD_HANDLERS = ["documentos.uploads.BoundedUploadHandler"]
# JSON columns (settings, metadata) a person edits: nesting levels and size at most.
JSON_MAX_DEPTH = env.int("JSON_MAX_DEPTH", default=20)
JSON_MAX_BYTES = env.int("JSON_MAX_BYTES", default=64 * 1024)
# Each process's own memory; the dashboard's totals are its main user (one entry per
# workspace), so the default 300 entries would be too few.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "OPTIONS": {"MAX_ENTRIES": 10_000},
    }
}
# How long the dashboard (tablero/) keeps each project's totals and the weekly
# activity counts before reading them again.
DASHBOARD_CACHE_SECONDS = env.int("DASHBOARD_CACHE_SECONDS", default=300)

# Days a deleted folder or document stays restorable before `purge_trash` removes it.
TRASH_RETENTION_DAYS = env.int("TRASH_RETENTION_DAYS", default=30)

LOGIN_URL = "admin:login"

# Security: strict by default whenever DEBUG is off; each can be overridden.
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

# Login brute-force protection (django-axes): after AXES_FAILURE_LIMIT failed
# attempts for one account from one address, logins are refused until cool-off.
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# The login form's field is "username" even though it holds the email
# (axes would otherwise look for the model's USERNAME_FIELD, "email").
AXES_USERNAME_FORM_FIELD = "username"
# The lockout page says, in Spanish and in the admin's look, when to try again.
AXES_LOCKOUT_TEMPLATE = "429.html"
# Registered by piliquarts/admin.py instead, with Spanish column names.
AXES_ENABLE_ADMIN = False
# Failures are counted per account, whatever its spelling: the identity login uses.
AXES_USERNAME_CALLABLE = "accounts.backends.lockout_username"

# One line per event, on the root logger's console handler only: Django's own
# loggers hand their records up to it instead of printing them a second time.
# `json` (the default with DEBUG off): one JSON object per line, with the request id.
LOG_FORMAT = env.str("LOG_FORMAT", default="text" if DEBUG else "json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "piliquarts.logs.RequestIdFilter"}},
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {"()": "piliquarts.logs.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": LOG_FORMAT,
        }
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        # runserver's own line per request would repeat the middleware's.
        "django.server": {"handlers": [], "propagate": False},
        # The request line is written by piliquarts.logs.RequestIdMiddleware, once per request.
        "django.request": {"handlers": [], "level": "ERROR", "propagate": True},
        # axes logs its start-up banner at INFO in every command; lockouts are warnings.
        "axes": {"level": "WARNING"},
    },
}
