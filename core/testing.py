"""Test helpers of the write path: in tests, every request may write only through services."""

from core.services import writes_only_through_services


class ServiceWritesOnlyMiddleware:
    """Fails a request loudly if anything in it writes a domain table outside a service.

    Installed first by the tests (conftest.py), so it covers every admin door
    and every other middleware.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with writes_only_through_services():
            return self.get_response(request)
