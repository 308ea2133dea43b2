"""Assertions shared by the apps' tests: a rule holds in the database and reads well in Python."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse


def assert_database_refuses_update(instance, **bad_values):
    """Writing `bad_values` straight to the row (no validation) is refused by the database."""
    with pytest.raises(IntegrityError), transaction.atomic():
        type(instance)._default_manager.filter(pk=instance.pk).update(**bad_values)


def assert_database_refuses_insert(model, **values):
    """Inserting a row with `values` (no Django validation) is refused by the database."""
    with pytest.raises(IntegrityError), transaction.atomic():
        model._default_manager.create(**values)


def validation_errors(instance, **values):
    """The message dict that `full_clean()` gives for `instance` with `values` set."""
    for name, value in values.items():
        setattr(instance, name, value)
    with pytest.raises(ValidationError) as excinfo:
        instance.full_clean()
    return excinfo.value.message_dict


def admin_login(client, email, password):
    """Log in through the admin's login form, as a person would; True if it worked."""
    response = client.post(
        reverse("admin:login"),
        {"username": email, "password": password, "next": reverse("admin:index")},
    )
    return response.status_code == 302 and "_auth_user_id" in client.session
