"""Numbers, sizes, durations and dates as people read them, in the active language (Spanish).

Used by the dashboard, the admin's lists and the error pages; the template
filters of the same names are in templatetags/readable.py.
"""

from datetime import timedelta

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.template.defaultfilters import filesizeformat
from django.utils import formats, timezone
from django.utils.html import format_html
from django.utils.timesince import timesince, timeuntil
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

# Past this, a date is clearer than "hace 5 meses".
RELATIVE_FOR = timedelta(days=30)


def number(value):
    """1234567 -> "1 234 567" (the locale's grouping, whatever USE_THOUSAND_SEPARATOR says)."""
    if value is None:
        return ""
    return formats.number_format(value, use_l10n=True, force_grouping=True)


def file_size(value):
    """Bytes as KB, MB, GB with the locale's decimal comma ("1,2 MB")."""
    return filesizeformat(value or 0)


def at_least(value, limit):
    """A count read up to `limit` + 1 rows: "más de 1 000" once it passed the limit."""
    if value > limit:
        return _("más de %(n)s") % {"n": number(limit)}
    return number(value)


def duration(delta):
    """A timedelta in words: "15 minutos", "1 hora y 30 minutos"."""
    minutes = max(round(delta.total_seconds() / 60), 1)
    hours, minutes = divmod(minutes, 60)
    parts = []
    if hours:
        parts.append(ngettext("%(n)d hora", "%(n)d horas", hours) % {"n": hours})
    if minutes:
        parts.append(ngettext("%(n)d minuto", "%(n)d minutos", minutes) % {"n": minutes})
    return _(" y ").join(parts)


def absolute_time(value):
    """The full local date and time: "24 de noviembre de 2026 a las 18:04"."""
    return formats.date_format(timezone.localtime(value), "DATETIME_FORMAT")


def relative_text(value, now=None):
    """ "hace 3 días", "hace un momento", "dentro de 2 horas"; the date itself past a month."""
    now = now or timezone.now()
    delta = now - value
    if abs(delta) > RELATIVE_FOR:
        return formats.date_format(timezone.localtime(value), "DATE_FORMAT")
    if abs(delta) < timedelta(minutes=1):
        return _("hace un momento")
    if delta < timedelta(0):
        return _("dentro de %(time)s") % {"time": timeuntil(value, now, depth=1)}
    return _("hace %(time)s") % {"time": timesince(value, now, depth=1)}


def relative_time(value, now=None):
    """A <time> element saying "hace 3 días", with the full date and time as its tooltip."""
    if value is None:
        return ""
    return format_html(
        '<time datetime="{}" title="{}">{}</time>',
        timezone.localtime(value).isoformat(timespec="seconds"),
        absolute_time(value),
        relative_text(value, now),
    )


class ReadableDatesMixin:
    """A ModelAdmin mixin: date-time columns of its lists read "hace 3 días" (the date as tooltip).

    Each DateTimeField named in `list_display` is shown through `relative_time`,
    still sortable by its column.
    """

    def get_list_display(self, request):
        return [self._readable_column(name) for name in super().get_list_display(request)]

    def _readable_column(self, name):
        if not isinstance(name, str):
            return name
        try:
            field = self.model._meta.get_field(name)
        except FieldDoesNotExist:
            return name
        if not isinstance(field, models.DateTimeField):
            return name

        def column(obj):
            return relative_time(getattr(obj, name)) or self.get_empty_value_display()

        column.short_description = field.verbose_name
        column.admin_order_field = name
        column.__name__ = name
        return column
