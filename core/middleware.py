"""Requests refused before any view: text no database could store."""

from django.core.exceptions import BadRequest

from core.validators import NUL


class RefuseNulCharactersMiddleware:
    """A NUL character in the address or its parameters (search, autocomplete, filters) is a 400.

    PostgreSQL cannot store or compare text holding one, so it could only end
    in an error page; forms refuse it field by field (Django's CharField and
    `core.validators`), this covers what no form validates.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if NUL in request.path or any(
            NUL in key or any(NUL in value for value in values)
            for key, values in request.GET.lists()
        ):
            raise BadRequest("NUL character in the request's address")
        return self.get_response(request)
