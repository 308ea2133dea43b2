"""Logins are hashed with Argon2 and protected against brute force (django-axes)."""

import pytest
from axes.models import AccessAttempt

from accounts.tests.factories import UserFactory
from core.testing import admin_login
from piliquarts import settings as project_settings

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


EMAIL = "ana@example.com"
# Ten spellings of one account: letter case, surrounding spaces and tabs, and a
# full-width letter that Unicode normalisation (NFKC) folds into its ASCII one.
VARIANTS = [
    "ANA@EXAMPLE.COM",
    "Ana@Example.com",
    "aNa@eXaMpLe.CoM",
    " ana@example.com",
    "ana@example.com ",
    "  ANA@example.COM  ",
    "\tana@example.com",
    "ana@example.com\n",
    "\uff21na@example.com",  # full-width A
    "ana@EXAMPLE.com",
]


def test_every_variant_of_the_email_is_the_same_login(client):
    """The variants really authenticate: a lockout refusing them refuses a real login."""
    UserFactory(email=EMAIL, password="la-buena-clave")
    for variant in VARIANTS:
        assert admin_login(client, variant, "la-buena-clave"), repr(variant)
        client.logout()


def test_after_a_lockout_the_right_password_is_refused_under_every_variant(
    client, settings, reliability
):
    UserFactory(email=EMAIL, password="la-buena-clave")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        admin_login(client, EMAIL, "mala")
    for variant in VARIANTS:
        assert not admin_login(client, variant, "la-buena-clave"), repr(variant)
        reliability.tried(
            "login",
            "the right password after a lockout, under a case, space or Unicode variant",
            "refused: still locked out, the lock not cleared",
        )
    assert not admin_login(client, EMAIL, "la-buena-clave")


def test_a_few_wrong_guesses_under_each_variant_lock_the_account(client, settings, reliability):
    UserFactory(email=EMAIL, password="la-buena-clave")
    guesses = settings.AXES_FAILURE_LIMIT - 1
    for variant in VARIANTS:
        for _ in range(guesses):
            assert not admin_login(client, variant, "mala")
            reliability.tried(
                "login",
                f"{guesses} wrong passwords under each of {len(VARIANTS)} spellings of one email",
                f"counted against one account: locked out after {settings.AXES_FAILURE_LIMIT}",
            )
    assert AccessAttempt.objects.get().username == EMAIL
    for variant in [EMAIL, *VARIANTS]:
        assert not admin_login(client, variant, "la-buena-clave"), repr(variant)
