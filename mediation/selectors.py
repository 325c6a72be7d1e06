"""Read queries over disputes, always scoped to the asking user through grids.access.

Cases name residents, so they are seen by the posts that see the register (workers, heads,
officials, administrators over the grid), never by department staff or assessors. Figures
without personal data (counts per node, the evaluation's indicators) are in
`figures` / `indicator_values` and take a node the caller has already been allowed to see.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from grids.access import get_scoped_or_404, scope_queryset
from grids.models import GridNode, NodeKind
from hlgrid import lights
from mediation import clock
from mediation.models import (
    OPEN_STATUSES,
    Case,
    CaseEvent,
    FollowUp,
    MonthlyReport,
    Notice,
    Party,
    ReportStatus,
    Status,
)
from mediation.services.common import CASE_POST_KINDS
from residents.models import Visit


def _scoped(user, queryset: QuerySet, node_path: str = "grid") -> QuerySet:
    return scope_queryset(user, queryset, node_path=node_path, post_kinds=CASE_POST_KINDS)


def with_light(queryset: QuerySet, now: datetime.datetime | None = None) -> QuerySet:
    """The light of each case as SQL, from its stored times and the clock (never the stored light)."""
    now = now or timezone.now()
    return queryset.annotate(
        current_light=lights.light_at_expression(now), light_rank=lights.rank_expression("current_light")
    )


def case_list(
    *, user, status: str = "", risk: str = "", kind: str = "", open_only: bool = False, now=None
) -> QuerySet:
    queryset = _scoped(user, Case.objects.select_related("grid"))
    if status:
        queryset = queryset.filter(status=status)
    if open_only:
        queryset = queryset.filter(status__in=OPEN_STATUSES)
    if risk:
        queryset = queryset.filter(risk=risk)
    if kind:
        queryset = queryset.filter(kind=kind)
    return with_light(queryset, now)


def case_get(*, user, pk, now=None) -> Case:
    queryset = with_light(
        Case.objects.select_related("grid", "registered_by").prefetch_related(
            Prefetch("parties", queryset=Party.objects.select_related("resident__household").order_by("id")),
            Prefetch("events", queryset=CaseEvent.objects.select_related("actor").order_by("at", "id")),
            "sessions",
            "agreements",
            Prefetch("follow_ups", queryset=FollowUp.objects.order_by("held_at", "id")),
        ),
        now,
    )
    return get_scoped_or_404(user, queryset, node_path="grid", post_kinds=CASE_POST_KINDS, pk=pk)


def party_get(*, user, pk) -> Party:
    queryset = Party.objects.select_related("case__grid", "resident__household__grid")
    return get_scoped_or_404(user, queryset, node_path="case__grid", post_kinds=CASE_POST_KINDS, pk=pk)


def grid_list(*, user) -> QuerySet:
    """The GRID nodes where the user may register and report disputes."""
    return _scoped(user, GridNode.objects.filter(kind=NodeKind.GRID), "").order_by("code")


def visit_get(*, user, pk) -> Visit:
    return get_scoped_or_404(
        user,
        Visit.objects.select_related("household__grid", "grid").prefetch_related("household__residents"),
        node_path="grid",
        post_kinds=CASE_POST_KINDS,
        pk=pk,
    )


def visits_for(*, user) -> QuerySet:
    """Visits the user may register a dispute from (those of its grids)."""
    return _scoped(user, Visit.objects.select_related("household__grid", "grid"))


def visits_to_register(*, user, days: int = 30, limit: int = 20) -> QuerySet:
    """The user's recent visits that found a problem and have no dispute case yet."""
    since = timezone.now() - datetime.timedelta(days=days)
    return (
        _scoped(user, Visit.objects.select_related("household"))
        .filter(worker_id=user.pk, problem_found=True, visited_at__gte=since, mediation_case__isnull=True)
        .order_by("-visited_at")[:limit]
    )


def notice_list(*, user, unread_only: bool = False) -> QuerySet:
    queryset = Notice.objects.filter(recipient_id=user.pk).select_related("case", "grid")
    if unread_only:
        queryset = queryset.filter(read_at__isnull=True)
    return queryset.order_by("-created_at", "-id")


# --- the monthly 排查 ----------------------------------------------------------------------


@dataclass
class ReportRow:
    grid: GridNode
    report: MonthlyReport | None
    cases_found: int
    light: str


def report_rows(*, user, month: datetime.date, now: datetime.datetime | None = None) -> list[ReportRow]:
    """Every grid of the user's scope with its report of `month` and its light (2 queries):
    green when reported, yellow from the warning day, red without a report after the deadline."""
    now = now or timezone.now()
    month = clock.month_of(month)
    start = clock.day_start(month)
    end = clock.day_start((month + datetime.timedelta(days=32)).replace(day=1))
    grids = list(
        grid_list(user=user).annotate(
            found=Count(
                "mediation_cases",
                filter=Q(mediation_cases__registered_at__gte=start, mediation_cases__registered_at__lt=end),
            )
        )
    )
    reports = {
        r.grid_id: r for r in MonthlyReport.objects.filter(month=month, grid__in=[g.pk for g in grids])
    }
    rows = []
    for grid in grids:
        report = reports.get(grid.pk)
        rows.append(ReportRow(grid, report, grid.found, report_light(report, month=month, now=now)))
    return rows


def report_light(report: MonthlyReport | None, *, month: datetime.date, now: datetime.datetime) -> str:
    if report is not None and report.status != ReportStatus.MISSED:
        return lights.Light.GREEN
    return lights.light_at(due_at=clock.report_due(month), warn_at=clock.report_warn(month), now=now)


def report_list(*, user) -> QuerySet:
    return _scoped(user, MonthlyReport.objects.select_related("grid")).order_by("-month", "grid__code")


# --- figures for the assessment (evaluation) ------------------------------------------------


def indicator_values(*, start: datetime.datetime, end: datetime.datetime, as_of: datetime.datetime) -> dict:
    """{"success": {grid id: (settled, concluded)}, "punctuality": {grid id: (on time, due)}} (2 queries).

    Mediation success: of the cases concluded in [start, end), those closed after a follow-up
    confirmed the agreement (the rest were referred on). 排查 punctuality: of the months whose
    report deadline fell in [start, as_of), those the grid reported on time."""
    success = {
        row["grid_id"]: (row["settled"], row["n"])
        for row in Case.objects.filter(
            status__in=[Status.CLOSED, Status.REFERRED], concluded_at__gte=start, concluded_at__lt=end
        )
        .values("grid_id")
        .annotate(n=Count("id"), settled=Count("id", filter=Q(status=Status.CLOSED)))
        .order_by()
    }
    punctuality = {
        row["grid_id"]: (row["ok"], row["n"])
        for row in MonthlyReport.objects.filter(due_at__gte=start, due_at__lt=min(end, as_of))
        .values("grid_id")
        .annotate(n=Count("id"), ok=Count("id", filter=Q(on_time=True)))
        .order_by()
    }
    return {"success": success, "punctuality": punctuality}


def indicator_evidence(
    *, which: str, grid_id: int, start: datetime.datetime, end: datetime.datetime, as_of: datetime.datetime
) -> list[list]:
    """The records behind an indicator for a grid: the cases referred on (success), the months
    not reported on time (punctuality)."""
    if which == "success":
        return [
            [f"#{c.pk}", c.get_kind_display(), c.registered_at, c.concluded_at, c.get_referred_to_display()]
            for c in Case.objects.filter(
                grid_id=grid_id, status=Status.REFERRED, concluded_at__gte=start, concluded_at__lt=end
            ).order_by("concluded_at", "id")[:500]
        ]
    return [
        [f"{r.month:%Y-%m}", r.get_status_display(), r.due_at, r.reported_at]
        for r in MonthlyReport.objects.filter(
            grid_id=grid_id, due_at__gte=start, due_at__lt=min(end, as_of), on_time=False
        ).order_by("month")[:500]
    ]
