"""The disputes panel of a node's dashboard (矛盾纠纷): counts by risk, kind and outcome over the
node's subtree, this month's 排查 (which grids have not reported, red after the deadline), a row
per child node, and the lights board's dispute items. All SQL aggregates: a fixed number of
queries whatever the number of cases and grids (4 for the panel, 1 for the board).

The node comes from the dashboard's scoped lookup (dashboards.selectors.node_get)."""

import datetime
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone

from grids.models import GridNode, NodeKind
from grids.subtree import count_in_subtree, in_subtree
from hlgrid.lights import Light, light_at
from mediation import clock
from mediation.models import OPEN_STATUSES, Case, Kind, MonthlyReport, ReportStatus, Risk, Status
from mediation.selectors import with_light

RISKS = (Risk.HIGH, Risk.MEDIUM, Risk.LOW)
OUTCOMES = (Status.CLOSED, Status.REFERRED)


@dataclass
class ChildRow:
    node: GridNode
    open: int
    high: int
    settled: int
    referred: int
    unreported: int


def _reported(month: datetime.date):
    return MonthlyReport.objects.filter(grid=OuterRef("pk"), month=month).exclude(status=ReportStatus.MISSED)


def panel(*, node: GridNode, now: datetime.datetime | None = None) -> dict:
    now = now or timezone.now()
    cases = Case.objects.filter(in_subtree(node, "grid")).order_by()
    by_risk = dict.fromkeys((*RISKS, ""), 0)
    open_by_risk = dict.fromkeys((*RISKS, ""), 0)
    by_kind = dict.fromkeys(Kind.values, 0)
    by_status = dict.fromkeys(Status.values, 0)
    for row in cases.values("kind", "risk", "status").annotate(n=Count("id")):
        by_risk[row["risk"]] += row["n"]
        by_kind[row["kind"]] += row["n"]
        by_status[row["status"]] += row["n"]
        if row["status"] in OPEN_STATUSES:
            open_by_risk[row["risk"]] += row["n"]
    red = with_light(cases.filter(status__in=OPEN_STATUSES), now).filter(current_light=Light.RED).count()

    month = clock.month_of(timezone.localdate(now))
    grids = GridNode.objects.filter(in_subtree(node), kind=NodeKind.GRID).order_by()
    report = grids.aggregate(total=Count("id"), reported=Count("id", filter=Q(Exists(_reported(month)))))
    unreported = report["total"] - report["reported"]
    late_light = light_at(due_at=clock.report_due(month), warn_at=clock.report_warn(month), now=now)

    children = []
    if node.kind != NodeKind.GRID:
        open_cases = Case.objects.filter(status__in=OPEN_STATUSES)
        unreported_grids = GridNode.objects.filter(kind=NodeKind.GRID).exclude(Exists(_reported(month)))
        rows = (
            GridNode.objects.filter(parent=node)
            .annotate(
                n_open=count_in_subtree(open_cases, "grid"),
                n_high=count_in_subtree(open_cases.filter(risk=Risk.HIGH), "grid"),
                n_settled=count_in_subtree(Case.objects.filter(status=Status.CLOSED), "grid"),
                n_referred=count_in_subtree(Case.objects.filter(status=Status.REFERRED), "grid"),
                n_unreported=count_in_subtree(unreported_grids),
            )
            .order_by("code")
        )
        children = [ChildRow(r, r.n_open, r.n_high, r.n_settled, r.n_referred, r.n_unreported) for r in rows]
    concluded = by_status[Status.CLOSED] + by_status[Status.REFERRED]
    return {
        "total": sum(by_status.values()),
        "open": sum(open_by_risk.values()),
        "red": red,
        "by_risk": [(Risk(r).label, by_risk[r], open_by_risk[r], r) for r in RISKS],
        "ungraded": open_by_risk[""],
        "by_kind": [(Kind(k).label, n) for k, n in by_kind.items() if n],
        "by_status": [(Status(s).label, n, s) for s, n in by_status.items()],
        "success_rate": round(100 * by_status[Status.CLOSED] / concluded, 1) if concluded else None,
        "month": month,
        "grids": report["total"],
        "reported": report["reported"],
        "unreported": unreported,
        # a grid without a report turns red once the deadline has passed
        "report_light": late_light if unreported else Light.GREEN,
        "report_due": clock.report_due(month) - datetime.timedelta(seconds=1),
        "children": children,
    }


def board_items(*, node: GridNode, now: datetime.datetime | None = None, limit: int = 50) -> list[dict]:
    """The open high-risk disputes (red whatever their clock) and the open disputes whose step
    is red or yellow, for the lights board (1 query)."""
    now = now or timezone.now()
    cases = (
        with_light(Case.objects.filter(in_subtree(node, "grid"), status__in=OPEN_STATUSES), now)
        .filter(Q(risk=Risk.HIGH) | Q(current_light__in=[Light.RED, Light.YELLOW]))
        .select_related("grid")
        .order_by("light_rank", "due_at", "id")[:limit]
    )
    return [
        {
            "light": Light.RED if case.risk == Risk.HIGH else case.current_light,
            "due": case.due_at or now,
            "title": " · ".join(
                filter(
                    None,
                    [f"#{case.pk}", case.get_kind_display(), case.get_risk_display(), case.description[:30]],
                )
            ),
            "place": case.grid.name,
            "url": reverse("mediation:detail", args=[case.pk]),
        }
        for case in cases
    ]
