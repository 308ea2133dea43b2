"""Logins are hashed with Argon2 and protected against brute force (django-axes)."""

import pytest

from accounts.tests.factories import UserFactory
from piliquarts import settings as project_settings
from piliquarts.testing import admin_login

pytestmark = pytest.mark.django_db


def test_passwords_are_hashed_with_argon2(settings):
    settings.PASSWORD_HASHERS = project_settings.PASSWORD_HASHERS  # not the tests' fast one
    user = UserFactory.build()
    user.set_password("una-clave-larga")
    assert user.password.startswith("argon2$")


def test_repeated_failures_lock_the_account_out_even_with_the_right_password(client, settings):
    UserFactory(email="ana@example.com", password="la-buena-clave")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        assert not admin_login(client, "ana@example.com", "mala")
    assert not admin_login(client, "ana@example.com", "la-buena-clave")


def test_a_lockout_does_not_touch_other_accounts(client, settings):
    UserFactory(email="ana@example.com", password="la-buena-clave")
    UserFactory(email="luis@example.com", password="otra-buena-clave")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        admin_login(client, "ana@example.com", "mala")
    assert admin_login(client, "luis@example.com", "otra-buena-clave")


def test_a_success_before_the_limit_resets_the_count(client, settings):
    UserFactory(email="ana@example.com", password="la-buena-clave")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        admin_login(client, "ana@example.com", "mala")
    assert admin_login(client, "ana@example.com", "la-buena-clave")
    client.logout()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        admin_login(client, "ana@example.com", "mala")
    assert admin_login(client, "ana@example.com", "la-buena-clave")
