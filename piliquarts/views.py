"""The project's own error view: the 500 page quotes the request id, to find its log lines."""

from django.http import HttpResponseServerError
from django.template import loader
from django.views.decorators.csrf import requires_csrf_token


@requires_csrf_token
def server_error(request, template_name="500.html"):
    # Like Django's: no context processors, nothing that could fail again.
    template = loader.get_template(template_name)
    return HttpResponseServerError(
        template.render({"request_id": getattr(request, "request_id", "")})
    )
