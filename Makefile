# The project's two commands: `make run` (set up and serve on SQLite) and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
# One PostgreSQL test database per checkout, so two clones can run their tests at once.
CHECKOUT_ID := $(shell printf '%s' '$(CURDIR)' | cksum | cut -d' ' -f1)
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/piliquarts_$(CHECKOUT_ID)
SQLITE_TEST_URL := sqlite:///$(CURDIR)/test.sqlite3
PYTEST_ARGS ?=

.PHONY: run serve test check test-sqlite test-postgresql install system-deps screenshots docs

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

# What the tests need from the system: PostgreSQL up, Chromium for the browser tests.
system-deps:
	./scripts/ensure_postgres.sh
	./scripts/ensure_chromium.sh

check: install system-deps
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) manage.py check
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) manage.py erd --check
	DATABASE_URL=$(TEST_DATABASE_URL) $(PY) manage.py db lint

# Rewrite the command outputs the docs show (between docs-output markers).
docs: install
	$(PY) manage.py docs --write

test-sqlite: install system-deps
	DATABASE_URL=$(SQLITE_TEST_URL) $(PY) -m pytest $(PYTEST_ARGS)

test-postgresql: install system-deps
	DATABASE_URL=$(TEST_DATABASE_URL) $(PY) -m pytest $(PYTEST_ARGS)

test: check test-sqlite test-postgresql

# Rewrite the screenshots in docs/img/screens (taken by the browser tests; a plain
# test run takes none, so it never changes the tree).
screenshots: install system-deps
	SCREENSHOTS_DIR=$(CURDIR)/docs/img/screens DATABASE_URL=$(SQLITE_TEST_URL) \
	  $(PY) -m pytest piliquarts/tests/test_browser.py -q -k uploads_a_document
