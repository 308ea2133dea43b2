"""The dashboard's pieces shown elsewhere: the latest activity in the admin's index."""

from django import template

from core.permissions import access_for
from tablero import selectors

register = template.Library()


@register.simple_tag(takes_context=True)
def latest_activity(context):
    """The newest activity rows the request's user may see (one query)."""
    return selectors.latest_activity(access_for(context["request"].user))
