"""No page shows a password's hash, salt or hashing parameters: only whether one is set."""

import re

import pytest
from django.urls import reverse

from accounts.tests.factories import AdminUserFactory, UserFactory
from piliquarts import settings as project_settings
from workspaces.tests.factories import WorkspaceMemberFactory

pytestmark = pytest.mark.django_db

# What Django's hash summary prints (its labels in Spanish and English, and the algorithm).
SUMMARY_WORDS = re.compile(
    r"argon2|algoritmo|algorithm|salt|hash|resumen|iteraciones|iterations|memoria|memory"
    r"|paralelismo|parallelism|variedad|variety",
    re.IGNORECASE,
)


@pytest.fixture
def colleagues(settings):
    settings.PASSWORD_HASHERS = project_settings.PASSWORD_HASHERS  # the real Argon2 hash
    ana = UserFactory(email="ana@example.com", password="clave-de-ana-1")
    luis = UserFactory(email="luis@example.com", password="clave-de-luis-1")
    workspace = WorkspaceMemberFactory(user=ana, rol="member").workspace
    WorkspaceMemberFactory(user=luis, workspace=workspace, rol="member")
    return ana, luis


def _password_area(client, viewer, user):
    client.force_login(viewer)
    response = client.get(reverse("admin:accounts_user_change", args=[user.pk]))
    assert response.status_code == 200
    page = response.text
    # Every fragment of the stored hash: algorithm, parameters, salt, hash.
    for fragment in user.password.split("$"):
        for piece in re.split(r"[=,]", fragment):
            if len(piece) >= 4:
                assert piece[:4] not in page, f"{piece[:4]!r} of the hash is on the page"
    assert "field-password" in page, "the page has a password row"
    area = page.split("field-password", 1)[1].split("form-row", 1)[0]
    assert not SUMMARY_WORDS.search(area), area
    return area


def test_a_platform_admin_sees_that_a_password_is_set_and_a_link_to_change_it(
    client, colleagues, reliability
):
    _ana, luis = colleagues
    area = _password_area(client, AdminUserFactory(), luis)
    assert "Contraseña establecida." in area
    assert 'href="../password/"' in area
    reliability.tried(
        "secrets",
        "a user's page seen by a platform admin",
        "whether a password is set, and a link to change it; no hash, salt or parameter",
    )


def test_a_coworker_sees_only_that_a_password_is_set(client, colleagues, reliability):
    ana, luis = colleagues
    for user in (luis, ana):  # a colleague's page, then their own
        area = _password_area(client, ana, user)
        assert "Contraseña establecida." in area
        assert "/password/" not in area
        reliability.tried(
            "secrets",
            "a user's page seen by a coworker (their own, a colleague's)",
            "whether a password is set, no link; no hash, salt or parameter",
        )


def test_a_user_without_a_password_is_shown_as_such(client, colleagues):
    ana, luis = colleagues
    luis.set_unusable_password()
    luis.save()
    assert "Sin contraseña" in _password_area(client, AdminUserFactory(), luis)
    assert "Sin contraseña" in _password_area(client, ana, luis)
