# The project's two commands: `make run` (set up and serve on SQLite) and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
# One PostgreSQL test database per checkout, so two clones can run their tests at once.
CHECKOUT_ID := $(shell printf '%s' '$(CURDIR)' | cksum | cut -d' ' -f1)
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/piliquarts_$(CHECKOUT_ID)
SQLITE_TEST_URL := sqlite:///$(CURDIR)/test.sqlite3
# The streaming replica and PgBouncer the set-up scripts keep running (shared by checkouts).
REPLICA_PORT ?= 5433
PGBOUNCER_PORT ?= 6432
REPLICA_TEST_URL := postgres://postgres@127.0.0.1:$(REPLICA_PORT)/piliquarts_$(CHECKOUT_ID)_replica
PGBOUNCER_TEST_URL := postgres://postgres@127.0.0.1:$(PGBOUNCER_PORT)/piliquarts_$(CHECKOUT_ID)_pgbouncer
PYTEST_ARGS ?=

.PHONY: run serve test check test-sqlite test-postgresql test-replica test-pgbouncer install system-deps screenshots docs

$(VENV)/.installed: requirements.txt
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 12))' || \
	  { echo "Python 3.12+ is needed (Django 6.1); with pyenv, .python-version selects 3.13." >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	@touch $@

# The Spanish catalogue, compiled (generated, not committed); gettext is installed if missing.
MO := locale/es/LC_MESSAGES/django.mo
$(MO): locale/es/LC_MESSAGES/django.po
	./scripts/ensure_gettext.sh
	msgfmt --check-format -o $@ $<

install: $(VENV)/.installed $(MO)

run: install
	$(PY) manage.py migrate
	$(PY) manage.py seed_demo
	$(PY) manage.py runserver

# Production: DEBUG=False, SECRET_KEY, ALLOWED_HOSTS and DATABASE_URL in the environment or .env.
serve: install
	./scripts/serve.sh

# What the tests need from the system: PostgreSQL up with a streaming replica and
# PgBouncer in front of it, Chromium for the browser tests.
system-deps:
	./scripts/ensure_postgres.sh
	REPLICA_PORT=$(REPLICA_PORT) ./scripts/ensure_replica.sh
	PGBOUNCER_PORT=$(PGBOUNCER_PORT) ./scripts/ensure_pgbouncer.sh
	./scripts/ensure_chromium.sh

check: install system-deps
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(VENV)/bin/lint-imports
	$(PY) manage.py check
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) manage.py erd --check
	$(PY) manage.py architecture --check
	$(PY) manage.py scaling --check
	$(PY) manage.py benchmarks --check
	DATABASE_URL=$(TEST_DATABASE_URL) $(PY) manage.py db lint

# Rewrite the command outputs the docs show (between docs-output markers); some are
# made on PostgreSQL, in scratch databases of their own.
docs: install
	./scripts/ensure_postgres.sh
	$(PY) manage.py docs --write

test-sqlite: install system-deps
	DATABASE_URL=$(SQLITE_TEST_URL) $(PY) -m pytest $(PYTEST_ARGS)

test-postgresql: install system-deps
	DATABASE_URL=$(TEST_DATABASE_URL) $(PY) -m pytest $(PYTEST_ARGS)

# Reads on the real replica, writes on the primary: the tests marked `replica`.
test-replica: install system-deps
	DATABASE_URL=$(TEST_DATABASE_URL)_replica DATABASE_REPLICA_URL=$(REPLICA_TEST_URL) \
	  $(PY) -m pytest -m replica $(PYTEST_ARGS)

# The PostgreSQL suite through PgBouncer in transaction mode (docs/scaling.md), except
# what needs a session of its own: the migration workflow (lock timeouts, pg_dump,
# throwaway databases) and the browser tests (a live server's threads).
PGBOUNCER_SUITE ?= -m "not browser" --ignore=migrations_workflow/tests/test_db_command.py \
  --ignore=migrations_workflow/tests/test_db_sql.py --ignore=migrations_workflow/tests/test_db_lint.py \
  --ignore=migrations_workflow/tests/test_db_backup.py --ignore=seeding/tests/test_bulk.py
test-pgbouncer: install system-deps
	DATABASE_URL=$(PGBOUNCER_TEST_URL) PGBOUNCER_TRANSACTION_POOLING=true \
	  $(PY) -m pytest $(PGBOUNCER_SUITE) $(PYTEST_ARGS)

test: check test-sqlite test-postgresql test-replica test-pgbouncer

# Rewrite the screenshots in docs/img/screens (taken by the browser tests; a plain
# test run takes none, so it never changes the tree).
screenshots: install system-deps
	SCREENSHOTS_DIR=$(CURDIR)/docs/img/screens DATABASE_URL=$(SQLITE_TEST_URL) \
	  $(PY) -m pytest piliquarts/tests/test_browser.py -q -k uploads_a_document
