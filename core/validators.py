"""Validators for what a person may type into the data: JSON documents and text.

PostgreSQL refuses a NUL character in text and in `jsonb`, and a deeply
nested JSON document exhausts Python's recursion long before any database
sees it; both are refused here first, with a message, on both databases.
"""

import json

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

NUL = "\x00"


def validate_no_nul(value):
    if NUL in str(value):
        raise ValidationError(_("El texto contiene un carácter nulo (\\0), que no se admite."))


def json_depth_exceeds(text, limit):
    """Is a bracket of the JSON text nested deeper than `limit`? (Read, not parsed.)"""
    depth, in_string, escaped = 0, False, False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > limit:
                return True
        elif char in "]}":
            depth -= 1
    return False


def _too_deep():
    return ValidationError(
        _("El JSON tiene más de %(n)d niveles de anidamiento.") % {"n": settings.JSON_MAX_DEPTH}
    )


def _too_big():
    return ValidationError(_("El JSON ocupa más de %(n)d bytes.") % {"n": settings.JSON_MAX_BYTES})


def validate_json_document(value):
    """A JSON column's value: at most JSON_MAX_DEPTH levels and JSON_MAX_BYTES, no NUL anywhere.

    Walked with a stack, not recursion, so no depth can exhaust Python's.
    """
    stack = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            if depth >= settings.JSON_MAX_DEPTH:
                raise _too_deep()
            children = [*item.keys(), *item.values()] if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children)
        elif isinstance(item, str) and NUL in item:
            raise ValidationError(
                _("El JSON contiene un carácter nulo (\\u0000), que no se admite.")
            )
    if len(json.dumps(value).encode()) > settings.JSON_MAX_BYTES:
        raise _too_big()


class JSONDocumentField(forms.JSONField):
    """Django's JSON form field, refusing text too large or too deep before parsing it."""

    def to_python(self, value):
        if isinstance(value, str):
            if len(value.encode()) > settings.JSON_MAX_BYTES:
                raise _too_big()
            if json_depth_exceeds(value, settings.JSON_MAX_DEPTH):
                raise _too_deep()
        return super().to_python(value)

    def bound_data(self, data, initial):
        # Shown back as typed, as Django does with invalid JSON, without parsing it.
        if isinstance(data, str) and (
            len(data.encode()) > settings.JSON_MAX_BYTES
            or json_depth_exceeds(data, settings.JSON_MAX_DEPTH)
        ):
            return forms.fields.InvalidJSONInput(data)
        return super().bound_data(data, initial)
