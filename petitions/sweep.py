"""The light sweep: a fixed number of set-based statements however many petitions are open.

Each light change is a compare-and-swap UPDATE (`... WHERE light <> 'RED'`), so two sweeps
running at once never both claim a row; the rows a sweep changed are recognised by the
sweep's own `now` in light_changed_at. Overdue rows and inbox notifications are then
written by INSERT ... SELECT with ON CONFLICT DO NOTHING against their unique keys, so a
repeated sweep writes nothing twice. E-mails go out after commit.
"""

from datetime import datetime, timedelta

from django.db import connection, transaction
from django.db.models import Q

from grids.models import GridNode, Post, PostKind
from hlgrid.lights import Light
from hlgrid.tasks import enqueue
from petitions.models import (
    OPEN_STATUSES,
    CheckIn,
    IdempotencyKey,
    Level,
    Notification,
    NotificationKind,
    Overdue,
    Petition,
    Step,
    Whistle,
    WhistleStatus,
)
from petitions.services.notifications import EMAIL_TASK, emails_enabled

IDEMPOTENCY_DAYS = 7


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def _table(model) -> str:
    return _q(model._meta.db_table)


def _execute(sql: str, params: list) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return max(cursor.rowcount, 0)


def _notification_insert(select_sql: str) -> str:
    columns = ", ".join(
        _q(c)
        for c in ("recipient_id", "kind", "petition_id", "whistle_id", "text", "dedupe_key", "created_at")
    )
    return f"INSERT INTO {_table(Notification)} ({columns}) {select_sql} ON CONFLICT DO NOTHING"


def _mail_waiting() -> bool:
    return Notification.objects.filter(emailed_at__isnull=True).exclude(recipient__email="").exists()


def sweep(*, now: datetime) -> dict:
    stamp = connection.ops.adapt_datetimefield_value(now)
    open_rows = Petition.objects.filter(status__in=OPEN_STATUSES)
    counts: dict[str, int] = {}
    P, G, PO, C, W = _table(Petition), _table(GridNode), _table(Post), _table(CheckIn), _table(Whistle)
    with transaction.atomic():
        # Corrections first: a deadline moved later (extension, resume) lowers the light.
        counts["green"] = (
            open_rows.filter(warn_at__gt=now)
            .exclude(light=Light.GREEN)
            .update(light=Light.GREEN, light_changed_at=now)
        )
        lowered = open_rows.filter(warn_at__lte=now, due_at__gt=now, light=Light.RED).update(
            light=Light.YELLOW, light_changed_at=now
        )
        counts["yellow"] = open_rows.filter(warn_at__lte=now, due_at__gt=now, light=Light.GREEN).update(
            light=Light.YELLOW, light_changed_at=now
        )
        counts["yellow"] += lowered
        counts["red"] = (
            open_rows.filter(due_at__lte=now)
            .exclude(light=Light.RED)
            .update(light=Light.RED, light_changed_at=now)
        )
        open_list = ", ".join(["%s"] * len(OPEN_STATUSES))
        changed = f"p.{_q('light_changed_at')} = %s AND p.{_q('status')} IN ({open_list})"
        changed_params = [stamp, *OPEN_STATUSES]
        notified = 0
        if counts["yellow"]:
            # The handler: the assignee, or the staff of the department handling it.
            notified += _execute(
                _notification_insert(
                    f"SELECT p.assignee_id, %s, p.id, NULL, '', "
                    f"'yellow:' || p.id || ':' || CAST(p.due_at AS VARCHAR(40)) || ':' || p.assignee_id, %s "
                    f"FROM {P} p WHERE p.light = %s AND {changed} AND p.assignee_id IS NOT NULL"
                ),
                [NotificationKind.YELLOW, stamp, Light.YELLOW, *changed_params],
            )
            notified += _execute(
                _notification_insert(
                    f"SELECT s.user_id, %s, p.id, NULL, '', "
                    f"'yellow:' || p.id || ':' || CAST(p.due_at AS VARCHAR(40)) || ':' || s.user_id, %s "
                    f"FROM {P} p JOIN {PO} s ON s.department_id = p.department_id AND s.kind = %s "
                    f"AND s.is_active = %s WHERE p.light = %s AND {changed} AND p.assignee_id IS NULL "
                    f"AND p.step = %s"
                ),
                [
                    NotificationKind.YELLOW,
                    stamp,
                    PostKind.DEPARTMENT,
                    True,
                    Light.YELLOW,
                    *changed_params,
                    Step.HANDLE,
                ],
            )
            # Nobody assigned (verify, classify, or no department): the grid's workers.
            notified += _execute(
                _notification_insert(
                    f"SELECT s.user_id, %s, p.id, NULL, '', "
                    f"'yellow:' || p.id || ':' || CAST(p.due_at AS VARCHAR(40)) || ':' || s.user_id, %s "
                    f"FROM {P} p JOIN {PO} s ON s.node_id = p.grid_id AND s.kind = %s AND s.is_active = %s "
                    f"WHERE p.light = %s AND {changed} AND p.assignee_id IS NULL "
                    f"AND (p.step <> %s OR p.department_id IS NULL)"
                ),
                [
                    NotificationKind.YELLOW,
                    stamp,
                    PostKind.WORKER,
                    True,
                    Light.YELLOW,
                    *changed_params,
                    Step.HANDLE,
                ],
            )
        if counts["red"]:
            overdue_columns = ", ".join(
                _q(c)
                for c in (
                    "petition_id",
                    "step",
                    "user_id",
                    "department_id",
                    "grid_id",
                    "due_at",
                    "recorded_at",
                )
            )
            counts["overdue"] = _execute(
                f"INSERT INTO {_table(Overdue)} ({overdue_columns}) "
                # A department answers only for the handling it was given; a worker for its steps.
                f"SELECT p.id, p.step, p.assignee_id, "
                f"CASE WHEN p.step = %s AND p.assignee_id IS NULL THEN p.department_id END, "
                f"p.grid_id, p.due_at, %s "
                f"FROM {P} p WHERE p.light = %s AND {changed} AND p.due_at IS NOT NULL "
                f"ON CONFLICT DO NOTHING",
                [Step.HANDLE, stamp, Light.RED, *changed_params],
            )
            # The head of the node above the handling level: the community's for grid work,
            # the street's for community and street work.
            notified += _execute(
                _notification_insert(
                    f"SELECT h.user_id, %s, p.id, NULL, '', "
                    f"'red:' || p.id || ':' || CAST(p.due_at AS VARCHAR(40)) || ':' || h.user_id, %s "
                    f"FROM {P} p JOIN {G} g ON g.id = p.grid_id JOIN {G} c ON c.id = g.parent_id "
                    f"JOIN {PO} h "
                    f"ON h.node_id = (CASE WHEN p.level IN (%s, %s) THEN c.id ELSE c.parent_id END) "
                    f"AND h.kind = %s AND h.is_active = %s "
                    f"WHERE p.light = %s AND {changed}"
                ),
                [
                    NotificationKind.RED,
                    stamp,
                    Level.GRID,
                    Level.DEPARTMENT,
                    PostKind.HEAD,
                    True,
                    Light.RED,
                    *changed_params,
                ],
            )
        else:
            counts["overdue"] = 0

        # Whistles: each summoned department's check-in has its own clock.
        pending = CheckIn.objects.filter(checked_in_at__isnull=True, whistle__status=WhistleStatus.OPEN)
        counts["checkin_yellow"] = pending.filter(
            Q(warn_at__lte=now, due_at__gt=now), light=Light.GREEN
        ).update(light=Light.YELLOW, light_changed_at=now)
        counts["checkin_red"] = (
            pending.filter(due_at__lte=now)
            .exclude(light=Light.RED)
            .update(light=Light.RED, light_changed_at=now)
        )
        if counts["checkin_red"]:
            notified += _execute(
                _notification_insert(
                    f"SELECT w.blown_by_id, %s, w.petition_id, w.id, '', "
                    f"'checkin-late:' || c.id || ':' || w.blown_by_id, %s "
                    f"FROM {C} c JOIN {W} w ON w.id = c.whistle_id "
                    f"WHERE c.light = %s AND c.{_q('light_changed_at')} = %s"
                ),
                [NotificationKind.CHECKIN_LATE, stamp, Light.RED, stamp],
            )
        counts["notified"] = notified
        # A retry comes within minutes; keys older than a week only take space.
        counts["idempotency_expired"] = IdempotencyKey.objects.filter(
            created_at__lt=now - timedelta(days=IDEMPOTENCY_DAYS)
        ).delete()[0]
        # Also mail that waits from earlier: its task may have been lost while the broker was down.
        if emails_enabled() and (notified or _mail_waiting()):
            enqueue(EMAIL_TASK)
    return counts
