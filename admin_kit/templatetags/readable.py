"""Template filters for numbers, sizes, durations and dates as people read them."""

from django import template
from django.utils import timezone

from admin_kit import readable

register = template.Library()

register.filter("number", readable.number)
register.filter("file_size", readable.file_size)
register.filter("duration", readable.duration)
register.filter("relative_time", readable.relative_time)


@register.filter
def at_least(value, limit):
    return readable.at_least(value, limit)


@register.filter
def from_now(delta):
    """The moment `delta` from now (a timedelta), to show when a wait ends."""
    return timezone.now() + delta
