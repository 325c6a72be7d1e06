"""The mediation sweeper (hlgrid.sweeps, every minute): a fixed number of statements however
many cases and grids there are.

- lights: compare-and-swap UPDATEs (`... WHERE light <> 'RED'`), so two sweeps running at
  once never both claim a row; the rows this sweep turned red are recognised by its `now` in
  light_changed_at, and their grid's workers and head hear of it (deduplicated by deadline);
- 排查: once a month's deadline has passed, one MISSED row for every grid without a report
  (ON CONFLICT DO NOTHING against the grid-and-month key), and its workers and head hear of it.
"""

from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from grids.models import GridNode, NodeKind, Post, PostKind
from hlgrid.lights import Light
from mediation import clock
from mediation.models import OPEN_STATUSES, Case, MonthlyReport, NoticeKind, ReportStatus
from mediation.services.notices import notices, send

GRID_KINDS = (PostKind.WORKER, PostKind.HEAD)


def _grid_staff(grid_ids) -> dict[int, list[int]]:
    staff: dict[int, list[int]] = {}
    for node_id, user_id in Post.objects.filter(
        node_id__in=list(grid_ids), kind__in=GRID_KINDS, is_active=True
    ).values_list("node_id", "user_id"):
        staff.setdefault(node_id, []).append(user_id)
    return staff


def sweep(*, now: datetime) -> dict:
    counts: dict[str, int] = {}
    running = Case.objects.filter(status__in=OPEN_STATUSES, due_at__isnull=False)
    with transaction.atomic():
        counts["green"] = (
            running.filter(warn_at__gt=now)
            .exclude(light=Light.GREEN)
            .update(light=Light.GREEN, light_changed_at=now)
        )
        counts["yellow"] = (
            running.filter(warn_at__lte=now, due_at__gt=now)
            .exclude(light=Light.YELLOW)
            .update(light=Light.YELLOW, light_changed_at=now)
        )
        counts["red"] = (
            running.filter(due_at__lte=now)
            .exclude(light=Light.RED)
            .update(light=Light.RED, light_changed_at=now)
        )
        if counts["red"]:
            red = list(
                Case.objects.filter(
                    light=Light.RED, light_changed_at=now, status__in=OPEN_STATUSES
                ).select_related("grid")
            )
            staff = _grid_staff({c.grid_id for c in red})
            rows = []
            for case in red:
                rows += notices(
                    recipients=staff.get(case.grid_id, []),
                    kind=NoticeKind.OVERDUE,
                    case=case,
                    text=_("Dispute #%(id)s in %(grid)s is overdue (%(status)s).")
                    % {"id": case.pk, "grid": case.grid.name, "status": case.get_status_display()},
                    dedupe=f"overdue:{case.pk}:{case.due_at.timestamp():.0f}",
                    now=now,
                )
            send(rows)
        counts["reports_missed"] = _missed_reports(now)
    return counts


def _missed_reports(now: datetime) -> int:
    month = clock.last_due_month(now)
    due = clock.report_due(month)
    lacking = list(
        GridNode.objects.filter(kind=NodeKind.GRID)
        .exclude(mediation_reports__month=month)
        .values_list("pk", "name")
    )
    if not lacking:
        return 0
    created = MonthlyReport.objects.bulk_create(
        [
            MonthlyReport(grid_id=pk, month=month, status=ReportStatus.MISSED, due_at=due)
            for pk, _name in lacking
        ],
        ignore_conflicts=True,
    )
    staff = _grid_staff(pk for pk, _name in lacking)
    rows = []
    for pk, name in lacking:
        rows += notices(
            recipients=staff.get(pk, []),
            kind=NoticeKind.REPORT_MISSED,
            grid_id=pk,
            text=_("%(grid)s has not sent its dispute report of %(month)s.")
            % {"grid": name, "month": f"{month:%Y-%m}"},
            dedupe=f"missed:{pk}:{month:%Y%m}",
            now=now,
        )
    send(rows)
    return len(created)
