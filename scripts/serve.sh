#!/usr/bin/env bash
# Production serving: apply migrations (`db upgrade`: with the lock and statement
# timeouts), collect static files, run gunicorn. Each request is logged once, as a
# JSON line with its id, by the project (piliquarts/logs.py), not by gunicorn.
# Needs the production environment (DEBUG=False, SECRET_KEY, ALLOWED_HOSTS,
# DATABASE_URL...) in the environment or in .env; WhiteNoise serves /static/.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-.venv/bin/python}
"$PY" manage.py check --deploy --fail-level WARNING
"$PY" manage.py db upgrade
"$PY" manage.py collectstatic --noinput --verbosity 0
exec "$PY" -m gunicorn piliquarts.wsgi:application \
  --bind "${BIND:-0.0.0.0:8000}" \
  --workers "${WEB_CONCURRENCY:-3}" \
  --forwarded-allow-ips "${FORWARDED_ALLOW_IPS:-127.0.0.1}"
