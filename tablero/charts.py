"""The dashboard's charts, drawn on the server as inline SVG: no script, nothing from elsewhere.

Colours come from classes in tablero.css (the admin's own colour variables), so
the charts follow its light and dark themes and the page keeps its strict CSP.
"""

from django.template.defaultfilters import filesizeformat
from django.utils import formats
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from admin_kit.readable import number

WIDTH = 640
BAR_GAP = 6


def _svg(height, label, body):
    return format_html(
        '<svg class="tablero-chart" viewBox="0 0 {} {}" role="img" aria-label="{}" '
        'xmlns="http://www.w3.org/2000/svg">{}</svg>',
        WIDTH,
        height,
        label,
        body,
    )


def _week_title(week):
    when = formats.date_format(week.start, "j \\d\\e F")
    if week.estimated:
        text = _("unas %(n)s actividades") % {"n": number(week.count)}
    else:
        text = ngettext("%(n)s actividad", "%(n)s actividades", week.count) % {
            "n": number(week.count)
        }
    return _("Semana del %(when)s: %(text)s") % {"when": when, "text": text}


def activity_per_week(weeks):
    """Vertical bars, one per week, oldest on the left; each bar's title gives its number."""
    height, top, bottom, left = 200, 16, 28, 8
    plot = height - top - bottom
    peak = max((w.count for w in weeks), default=0) or 1
    step = (WIDTH - left) / max(len(weeks), 1)
    bars = []
    for i, week in enumerate(weeks):
        bar = round(plot * week.count / peak, 1)
        x = round(left + i * step, 1)
        bars.append(
            format_html(
                '<g class="{}"><title>{}</title>'
                '<rect x="{}" y="{}" width="{}" height="{}" rx="2"></rect>'
                '<text class="tablero-chart-value" x="{}" y="{}" text-anchor="middle">{}</text>'
                '<text class="tablero-chart-label" x="{}" y="{}" text-anchor="middle">{}</text>'
                "</g>",
                "tablero-bar estimated" if week.estimated else "tablero-bar",
                _week_title(week),
                x,
                top + plot - bar,
                round(step - BAR_GAP, 1),
                max(bar, 0.5),
                round(x + (step - BAR_GAP) / 2, 1),
                top + plot - bar - 4,
                ("~" if week.estimated else "") + number(week.count),
                round(x + (step - BAR_GAP) / 2, 1),
                height - 8,
                formats.date_format(week.start, "j M"),
            )
        )
    return _svg(height, _("Actividad por semana"), format_html_join("", "{}", ((b,) for b in bars)))


def storage_per_project(proyectos):
    """Horizontal bars, the projects using the most storage first."""
    row, label_width = 26, 230
    height = max(len(proyectos), 1) * row + 4
    peak = max((p.totals.bytes for p in proyectos), default=0) or 1
    room = WIDTH - label_width - 90
    bars = []
    for i, proyecto in enumerate(proyectos):
        y = 2 + i * row
        width = round(room * proyecto.totals.bytes / peak, 1)
        size = filesizeformat(proyecto.totals.bytes)
        name = proyecto.nombre if len(proyecto.nombre) <= 32 else proyecto.nombre[:31] + "…"
        bars.append(
            format_html(
                '<g class="tablero-bar"><title>{}: {}</title>'
                '<text class="tablero-chart-name" x="{}" y="{}" text-anchor="end">{}</text>'
                '<rect x="{}" y="{}" width="{}" height="{}" rx="2"></rect>'
                '<text class="tablero-chart-value" x="{}" y="{}">{}</text></g>',
                proyecto.nombre,
                size,
                label_width - 8,
                y + row / 2 + 4,
                name,
                label_width,
                y + 3,
                max(width, 0.5),
                row - 8,
                round(label_width + width + 6, 1),
                y + row / 2 + 4,
                size,
            )
        )
    return _svg(
        height, _("Almacenamiento por proyecto"), format_html_join("", "{}", ((b,) for b in bars))
    )
