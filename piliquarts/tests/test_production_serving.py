"""The documented production command serves a styled, hardened admin (real gunicorn, real HTTP)."""

import json
import os
import re
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.core.management.utils import get_random_secret_key

BASE_DIR = Path(__file__).resolve().parents[2]


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url):
    # As behind the TLS-terminating proxy the deployment guide describes.
    request = urllib.request.Request(url, headers={"X-Forwarded-Proto": "https"})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, response.headers, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read().decode()


@pytest.fixture
def production_server(tmp_path):
    port = _free_port()
    env = {
        "PATH": os.environ["PATH"],
        "DEBUG": "False",
        "SECRET_KEY": get_random_secret_key(),
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'prod.sqlite3'}",
        "STATIC_ROOT": str(tmp_path / "static"),
        "MEDIA_ROOT": str(tmp_path / "media"),
        "BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "1",
    }
    log = open(tmp_path / "server.log", "w+")  # noqa: SIM115 - closed below
    server = subprocess.Popen(
        ["scripts/serve.sh"], cwd=BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            if server.poll() is not None:
                break
            try:
                _get(f"{base}/admin/login/")
                break
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.1)
        if server.poll() is not None:
            log.seek(0)  # the offset is shared with the server: only once it has stopped
            pytest.fail(log.read())
        base_url = type("ServerUrl", (str,), {})(base)
        base_url.log = tmp_path / "server.log"
        yield base_url
    finally:
        server.terminate()
        server.wait(timeout=10)
        log.close()


def test_production_command_serves_the_admin_with_its_styles(production_server):
    status, _headers, page = _get(f"{production_server}/admin/login/")
    assert status == 200
    assert "PILi Quarts" in page
    stylesheet = re.search(r'href="(/static/admin/css/base\.[0-9a-f]{12}\.css)"', page)
    assert stylesheet, "stylesheets are served under content-hashed names"
    status, css_headers, css = _get(production_server + stylesheet.group(1))
    assert status == 200
    assert css_headers["Content-Type"].startswith("text/css")
    assert "immutable" in css_headers["Cache-Control"]
    assert "body" in css


def test_production_responses_carry_the_security_headers(production_server):
    _status, headers, _page = _get(f"{production_server}/admin/login/")
    assert headers["Strict-Transport-Security"].startswith("max-age=31536000")
    assert "default-src 'self'" in headers["Content-Security-Policy"]
    assert headers["X-Frame-Options"] == "DENY"
    assert "Secure" in headers["Set-Cookie"]


def test_production_redirects_plain_http_to_https(production_server):
    request = urllib.request.Request(f"{production_server}/admin/login/")
    opener = urllib.request.build_opener(NoRedirect)
    with pytest.raises(urllib.error.HTTPError) as redirect:
        opener.open(request, timeout=5)
    assert redirect.value.code == 301
    assert redirect.value.headers["Location"].startswith("https://")


def test_production_migrates_through_db_upgrade_and_logs_json_lines(production_server):
    _status, headers, _page = _get(f"{production_server}/admin/login/")
    rid = headers["X-Request-ID"]
    log = production_server.log.read_text()
    assert "Applying accounts.0001_initial... OK" in log, "db upgrade's progress"
    lines = [json.loads(line) for line in log.splitlines() if line.startswith("{")]
    (entry,) = [e for e in lines if e.get("request_id") == rid]
    assert (entry["path"], entry["status"], entry["level"]) == ("/admin/login/", 200, "INFO")


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None
