"""Settings come from the environment: a newcomer needs none, production passes --deploy."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management.utils import get_random_secret_key

BASE_DIR = Path(__file__).resolve().parents[2]


def _manage(*args, **env):
    """Run manage.py in a clean environment (only PATH and `env`), as a fresh shell would."""
    clean = {"PATH": os.environ["PATH"], "PYTHONDONTWRITEBYTECODE": "1", **env}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.skipif((BASE_DIR / ".env").exists(), reason="a local .env would be read")
def test_no_environment_at_all_runs_on_the_embedded_sqlite_file():
    result = _manage(
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings as s; "
        "print(s.DEBUG, s.DATABASES['default']['ENGINE'], s.DATABASES['default']['NAME'])",
    )
    assert result.returncode == 0, result.stderr
    debug, engine, name = result.stdout.split()
    assert (debug, engine) == ("True", "django.db.backends.sqlite3")
    assert Path(name) == BASE_DIR / "db.sqlite3"


def test_production_configuration_passes_check_deploy_without_warnings():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="False",
        # A "$" first is how django-environ would mistake a key for a reference.
        SECRET_KEY="$" + get_random_secret_key(),
        ALLOWED_HOSTS="quarts.example.com",
        DATABASE_URL="sqlite:////tmp/piliquarts-deploy-check.sqlite3",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_without_a_secret_key_refuses_to_start():
    result = _manage("check", DEBUG="False", ALLOWED_HOSTS="quarts.example.com")
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


def test_database_url_selects_postgresql():
    result = _manage(
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings as s; print(s.DATABASES['default']['ENGINE'])",
        DATABASE_URL="postgres://u:p@db.example.com:5432/quarts",
    )
    assert result.stdout.strip() == "django.db.backends.postgresql", result.stderr
