"""The admin in a real browser (headless Chromium from Debian, driven by Selenium)."""

import os
import shutil
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait

from accounts.tests.factories import UserFactory
from proyectos.models import Proyecto
from proyectos.tests.factories import ProyectoFactory
from workspaces.tests.factories import WorkspaceMemberFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# `make screenshots` sets it: the tests then rewrite the pictures the docs show.
SCREENSHOTS = os.environ.get("SCREENSHOTS_DIR")

PASSWORD = "una-clave-larga-de-prueba"


@pytest.fixture(scope="module")
def browser():
    chromium, driver = shutil.which("chromium"), shutil.which("chromedriver")
    assert chromium and driver, "install Debian's chromium and chromium-driver"
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--window-size=1280,1024",
    ):
        options.add_argument(flag)
    options.add_experimental_option("prefs", {"intl.accept_languages": "es"})
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    chrome = webdriver.Chrome(service=Service(driver), options=options)
    chrome.implicitly_wait(5)
    yield chrome
    chrome.quit()


@pytest.fixture
def demo(settings):
    settings.DEBUG = True  # seed_demo refuses to run on a production configuration
    call_command("seed_demo", verbosity=0)
    settings.DEBUG = False


def _login(browser, live_server, email, password):
    browser.delete_all_cookies()
    browser.get(live_server.url + reverse("admin:login"))
    browser.find_element(By.NAME, "username").send_keys(email)
    browser.find_element(By.NAME, "password").send_keys(password)
    browser.find_element(By.CSS_SELECTOR, "input[type=submit]").click()
    # The user tools appear once the login has gone through and the index is shown.
    WebDriverWait(browser, 10).until(
        expected_conditions.presence_of_element_located((By.ID, "user-tools"))
    )


def _screenshot(browser, name):
    """Save the page for the docs, only when asked (a normal run leaves the tree clean)."""
    if SCREENSHOTS:
        folder = Path(SCREENSHOTS)
        folder.mkdir(parents=True, exist_ok=True)
        height = browser.execute_script("return document.documentElement.scrollHeight")
        browser.set_window_size(1280, min(max(height, 800), 2400))
        assert browser.save_screenshot(str(folder / f"{name}.png"))
        browser.set_window_size(1280, 1024)


def _open(browser, live_server, name):
    browser.get(live_server.url + reverse(name))
    return browser.find_element(By.TAG_NAME, "body").text


def test_demo_admin_logs_in_and_browses_projects_and_folders(browser, live_server, demo):
    _login(browser, live_server, "admin@piliquarts.com", "admin123")
    assert "PILi Quarts" in browser.title
    projects = _open(browser, live_server, "admin:proyectos_proyecto_changelist")
    assert "Edificio Residencial Miraflores" in projects
    browser.find_element(By.LINK_TEXT, "Edificio Residencial Miraflores").click()
    assert "test@piliquarts.com" in browser.find_element(By.TAG_NAME, "body").text
    folders = _open(browser, live_server, "admin:documentos_folder_changelist")
    for path in ("/Planos", "/Contratos", "/Cotizaciones"):
        assert path in folders


def test_member_of_another_workspace_sees_none_of_it(browser, live_server, demo):
    outsider = UserFactory(email="otro@example.com", password=PASSWORD)
    WorkspaceMemberFactory(workspace=ProyectoFactory(nombre="Obra Ajena").workspace,
                           user=outsider, rol="owner")  # fmt: skip
    _login(browser, live_server, "otro@example.com", PASSWORD)
    projects = _open(browser, live_server, "admin:proyectos_proyecto_changelist")
    assert "Obra Ajena" in projects
    assert "Miraflores" not in projects
    assert "San Isidro" not in projects
    folders = _open(browser, live_server, "admin:documentos_folder_changelist")
    assert "/Planos" not in folders


def test_the_dashboard_of_a_member_shows_only_their_workspace(browser, live_server, demo):
    outsider = UserFactory(email="otro@example.com", password=PASSWORD)
    WorkspaceMemberFactory(workspace=ProyectoFactory(nombre="Obra Ajena").workspace,
                           user=outsider, rol="owner")  # fmt: skip
    _login(browser, live_server, "otro@example.com", PASSWORD)
    board = _open(browser, live_server, "tablero:index")
    assert "Obra Ajena" in board
    assert "Miraflores" not in board
    assert "Tablero" in browser.title


def test_a_viewer_finds_no_save_button(browser, live_server):
    proyecto = ProyectoFactory(nombre="Obra Vista")
    viewer = UserFactory(email="lector@example.com", password=PASSWORD)
    WorkspaceMemberFactory(workspace=proyecto.workspace, user=viewer, rol="viewer")
    _login(browser, live_server, "lector@example.com", PASSWORD)
    browser.get(live_server.url + reverse("admin:proyectos_proyecto_change", args=[proyecto.pk]))
    assert "Obra Vista" in browser.find_element(By.TAG_NAME, "body").text
    assert not browser.find_elements(By.NAME, "_save")


def test_demo_admin_uploads_a_document_and_a_new_version_downloads_it_and_sees_the_trail(
    browser, live_server, demo, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    browser.execute_cdp_cmd(
        "Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)}
    )
    proyecto = Proyecto.objects.get(nombre="Edificio Residencial Miraflores")
    first, second = tmp_path / "planta.pdf", tmp_path / "planta-v2.pdf"
    first.write_bytes(b"%PDF-1.7 primera")
    second.write_bytes(b"%PDF-1.7 segunda version")

    _login(browser, live_server, "admin@piliquarts.com", "admin123")
    browser.get(live_server.url + reverse("admin:documentos_documento_add"))
    browser.find_element(By.NAME, "nombre").send_keys("planta.pdf")
    # The project field is an autocomplete (select2): choose the option as its script would.
    browser.execute_script(
        "django.jQuery('#id_proyecto').append(new Option(arguments[1], arguments[0], true, true))"
        ".trigger('change');",
        str(proyecto.pk),
        proyecto.nombre,
    )
    browser.find_element(By.NAME, "archivo").send_keys(str(first))
    browser.find_element(By.NAME, "_continue").click()
    WebDriverWait(browser, 10).until(expected_conditions.url_contains("/change/"))

    browser.find_element(By.NAME, "archivo").send_keys(str(second))
    browser.find_element(By.NAME, "cambios").send_keys("Corrige los ejes")
    browser.find_element(By.NAME, "_continue").click()
    WebDriverWait(browser, 10).until(
        expected_conditions.presence_of_element_located((By.LINK_TEXT, "Descargar v2"))
    )
    browser.find_elements(By.LINK_TEXT, "Descargar v2")[0].click()
    WebDriverWait(browser, 10).until(lambda _b: any(downloads.glob("*.pdf")))
    (downloaded,) = downloads.glob("*.pdf")
    assert downloaded.read_bytes() == b"%PDF-1.7 segunda version"

    _screenshot(browser, "documento")

    trail = _open(browser, live_server, "admin:auditoria_actividad_changelist")
    assert "Subió «planta.pdf»" in trail
    assert "Subió la versión 2 de «planta.pdf»" in trail

    documentos = _open(browser, live_server, "admin:documentos_documento_changelist")
    assert "planta.pdf" in documentos
    _screenshot(browser, "lista-documentos")

    # The dashboard now counts the document and its two versions, and shows what happened.
    browser.find_element(By.CSS_SELECTOR, '#user-tools a[href="/"]').click()  # Ver el tablero
    WebDriverWait(browser, 10).until(
        expected_conditions.presence_of_element_located((By.CSS_SELECTOR, "svg.tablero-chart"))
    )
    board = browser.find_element(By.TAG_NAME, "body").text
    assert "constructora pili" in board.lower()  # a caption: upper case on screen
    assert "Edificio Residencial Miraflores" in board
    assert "Subió la versión 2 de «planta.pdf»" in board
    bars = browser.find_elements(By.CSS_SELECTOR, "svg.tablero-chart rect")
    assert bars and all(bar.is_displayed() for bar in bars[:3])
    # The charts obey the Content Security Policy: the browser refused nothing.
    refused = [e for e in browser.get_log("browser") if "Content Security Policy" in e["message"]]
    assert not refused, refused
    _screenshot(browser, "tablero")
