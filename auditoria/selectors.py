"""Reading the audit trail: the feeds of a workspace and of a project, newest first."""

from auditoria.models import Actividad, EventoCode

FEED_PAGE_SIZE = 50


def feed(*, workspace=None, proyecto=None, evento=None, after=None, limit=FEED_PAGE_SIZE):
    """One page of a feed, newest first, paged by keyset (never OFFSET).

    `after` is the last row of the previous page; the next page starts strictly
    before its (created_at, id), which the feed indexes answer directly.
    `evento` (a code of auditoria.events.Evento) keeps one kind of event.
    """
    if (workspace is None) == (proyecto is None):
        raise ValueError("Give a workspace or a proyecto.")
    rows = Actividad.objects.select_related("user")
    rows = rows.filter(workspace=workspace) if workspace else rows.filter(proyecto=proyecto)
    if evento is not None:
        rows = rows.alias(evento=EventoCode()).filter(evento=evento)
    if after is not None:
        rows = rows.filter(created_at__lte=after.created_at).exclude(
            created_at=after.created_at, id__gte=after.id
        )
    return list(rows.order_by("-created_at", "-id")[:limit])
