"""The resolutions' light sweep, registered with hlgrid.sweeps (Celery beat, every minute).

A fixed number of statements however many resolutions are open: each light change is a
compare-and-swap UPDATE (`... WHERE light <> 'RED'`), so two sweeps at once never both
claim a row; the rows a sweep changed are recognised by its own `now` in light_changed_at.
The owners (and, for red, the head of the resolution's node) get one notice per deadline,
written by INSERT ... SELECT against a unique key (a repeated sweep writes nothing twice).
Votes whose window ended are closed (a few a day: one short transaction each).
"""

from datetime import datetime

from django.db import connection, transaction

from deliberation.models import Notice, NoticeKind, Resolution, ResolutionStatus
from deliberation.services.votes import votes_close_due
from grids.models import Post, PostKind
from hlgrid.lights import Light


def sweep(*, now: datetime) -> dict:
    open_rows = Resolution.objects.filter(status=ResolutionStatus.OPEN)
    counts: dict[str, int] = {}
    with transaction.atomic():
        # Corrections first: a deadline moved later lowers the light.
        counts["green"] = (
            open_rows.filter(warn_at__gt=now)
            .exclude(light=Light.GREEN)
            .update(light=Light.GREEN, light_changed_at=now)
        )
        counts["yellow"] = (
            open_rows.filter(warn_at__lte=now, due_at__gt=now)
            .exclude(light=Light.YELLOW)
            .update(light=Light.YELLOW, light_changed_at=now)
        )
        counts["red"] = (
            open_rows.filter(due_at__lte=now)
            .exclude(light=Light.RED)
            .update(light=Light.RED, light_changed_at=now)
        )
        counts["notified"] = 0
        if counts["yellow"] or counts["red"]:
            counts["notified"] = _notify(now)
    counts["votes_closed"] = votes_close_due(now=now)
    return counts


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def _notify(now: datetime) -> int:
    """Notices for the rows this sweep turned (recognised by its own `now`): the owner for
    yellow and red, the head of the resolution's node for red. INSERT ... SELECT against the
    notices' unique key: two statements however many rows, nothing written twice."""
    stamp = connection.ops.adapt_datetimefield_value(now)
    notices, resolutions, posts = (_q(m._meta.db_table) for m in (Notice, Resolution, Post))
    columns = ", ".join(_q(c) for c in ("recipient_id", "resolution_id", "kind", "due_at", "created_at"))
    turned = f"r.{_q('light_changed_at')} = %s AND r.{_q('status')} = %s AND r.{_q('light')} IN (%s, %s)"
    written = 0
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {notices} ({columns}) "
            f"SELECT r.{_q('owner_id')}, r.{_q('id')}, "
            f"CASE WHEN r.{_q('light')} = %s THEN %s ELSE %s END, r.{_q('due_at')}, %s "
            f"FROM {resolutions} r WHERE {turned} ON CONFLICT DO NOTHING",
            [
                Light.RED,
                NoticeKind.RED,
                NoticeKind.YELLOW,
                stamp,
                stamp,
                ResolutionStatus.OPEN,
                Light.YELLOW,
                Light.RED,
            ],
        )
        written += max(cursor.rowcount, 0)
        cursor.execute(
            f"INSERT INTO {notices} ({columns}) "
            f"SELECT p.{_q('user_id')}, r.{_q('id')}, %s, r.{_q('due_at')}, %s "
            f"FROM {resolutions} r JOIN {posts} p ON p.{_q('node_id')} = r.{_q('node_id')} "
            f"AND p.{_q('kind')} = %s AND p.{_q('is_active')} = %s "
            f"WHERE {turned} AND r.{_q('light')} = %s ON CONFLICT DO NOTHING",
            [
                NoticeKind.RED,
                stamp,
                PostKind.HEAD,
                True,
                stamp,
                ResolutionStatus.OPEN,
                Light.YELLOW,
                Light.RED,
                Light.RED,
            ],
        )
        written += max(cursor.rowcount, 0)
    return written
