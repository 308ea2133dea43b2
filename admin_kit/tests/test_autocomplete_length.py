"""An autocomplete asks for as many characters as the search behind it uses."""

import re

import pytest
from django.urls import reverse

from accounts.tests.factories import UserFactory
from core.roles import RolGlobal
from proyectos.tests.factories import ProyectoFactory

pytestmark = pytest.mark.django_db


def _minimum(html, field):
    tag = re.search(rf'<select[^>]*name="{field}"[^>]*>', html).group(0)
    found = re.search(r'data-minimum-input-length="(\d+)"', tag)
    return int(found.group(1)) if found else None


def test_the_autocompletes_of_a_form_ask_for_three_characters(client):
    ProyectoFactory()
    client.force_login(UserFactory(rol_global=RolGlobal.OWNER))
    html = client.get(reverse("admin:proyectos_proyecto_add")).content.decode()
    assert _minimum(html, "workspace") == 3
    html = client.get(reverse("admin:documentos_documento_add")).content.decode()
    assert _minimum(html, "proyecto") == 3
    assert _minimum(html, "folder") == 3
