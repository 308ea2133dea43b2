"""One log line per event; in production, JSON lines carrying the request's id."""

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import RequestFactory

from piliquarts import logs, views

BASE_DIR = Path(__file__).resolve().parents[2]

SCRIPT = """
import logging
from django.test import Client
logging.getLogger("django.security").warning("una advertencia")
Client(HTTP_HOST="localhost").get("/admin/", HTTP_X_REQUEST_ID="abc12345-peticion")
"""


def _run(tmp_path, **env):
    (tmp_path / "static").mkdir(exist_ok=True)
    environment = {
        "STATIC_ROOT": str(tmp_path / "static"),
        "PATH": os.environ["PATH"],
        "DATABASE_URL": f"sqlite:///{tmp_path / 'log.sqlite3'}",
        "ALLOWED_HOSTS": "localhost",
        **env,
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-v", "0", "-c", SCRIPT],
        cwd=BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return [line for line in (result.stdout + result.stderr).splitlines() if line.strip()]


def test_in_debug_each_event_is_one_text_line(tmp_path):
    lines = _run(tmp_path, DEBUG="True")
    assert len([line for line in lines if "una advertencia" in line]) == 1
    request_lines = [line for line in lines if "/admin/ " in line]
    assert len(request_lines) == 1, lines
    assert "GET /admin/ 302" in request_lines[0]
    assert "[abc12345-peticion]" in request_lines[0]


def test_in_production_each_event_is_one_json_line_with_the_request_id(tmp_path):
    lines = _run(tmp_path, DEBUG="False", SECRET_KEY="x" * 50, SECURE_SSL_REDIRECT="False")
    entries = [json.loads(line) for line in lines]
    (warning,) = [e for e in entries if e["message"] == "una advertencia"]
    assert warning["level"] == "WARNING" and warning["request_id"] == "-"
    (request,) = [e for e in entries if e.get("path") == "/admin/"]
    assert request["request_id"] == "abc12345-peticion"
    assert request["status"] == 302
    assert request["logger"] == "piliquarts.request"
    assert request["duration_ms"] >= 0


@pytest.mark.django_db
def test_every_response_carries_a_request_id(client, caplog):
    caplog.set_level(logging.INFO, logger="piliquarts.request")
    response = client.get("/admin/login/")
    rid = response["X-Request-ID"]
    assert len(rid) == 32
    (record,) = [r for r in caplog.records if r.name == "piliquarts.request"]
    assert (record.path, record.status) == ("/admin/login/", 200)
    assert client.get("/admin/login/")["X-Request-ID"] != rid


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("incoming", "kept"), [("proxy-id-12345", True), ("bad id with spaces", False), ("x", False)]
)
def test_a_proxys_request_id_is_kept_only_when_sane(client, incoming, kept):
    response = client.get("/admin/login/", HTTP_X_REQUEST_ID=incoming)
    assert (response["X-Request-ID"] == incoming) is kept


def test_lines_logged_during_a_request_carry_its_id():
    record = logging.LogRecord("documentos", logging.INFO, __file__, 1, "subió %s", ("a",), None)
    token = logs.request_id.set("feedbeef00")
    try:
        logs.RequestIdFilter().filter(record)
    finally:
        logs.request_id.reset(token)
    entry = json.loads(logs.JsonFormatter().format(record))
    assert entry["request_id"] == "feedbeef00"
    assert entry["message"] == "subió a"
    assert entry["logger"] == "documentos"


def test_the_500_page_quotes_the_request_id():
    request = RequestFactory().get("/")
    request.request_id = "cafe1234cafe1234"
    response = views.server_error(request)
    assert response.status_code == 500
    assert "<code>cafe1234cafe1234</code>" in response.content.decode()
