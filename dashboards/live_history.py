"""The history figures from the source rows alone: the reference dashboards.history must equal.

Each function is one GROUP BY query over the node's subtree.
"""

from django.db.models import Count, Q
from django.db.models.functions import ExtractMonth, ExtractQuarter, ExtractYear

from grids.models import GridNode
from grids.subtree import in_subtree
from petitions.models import Petition, Satisfaction, Status


def _received(node: GridNode):
    return (
        Petition.objects.exclude(status=Status.DRAFT)
        .exclude(received_at=None)
        .filter(in_subtree(node, "grid"))
    )


def _rate(part, whole):
    return round(100.0 * part / whole, 1) if whole else None


def by_category(*, node: GridNode) -> list[dict]:
    rows = (
        _received(node)
        .annotate(year=ExtractYear("received_at"))
        .values("year", "category__name")
        .annotate(n=Count("pk"))
        .order_by("year", "-n", "category__name")
    )
    return [{"year": r["year"], "category": r["category__name"] or "", "count": r["n"]} for r in rows]


def by_month(*, node: GridNode) -> list[dict]:
    rows = (
        _received(node)
        .annotate(year=ExtractYear("received_at"), month=ExtractMonth("received_at"))
        .values("year", "month")
        .annotate(n=Count("pk"))
        .order_by("year", "month")
    )
    return [{"year": r["year"], "month": r["month"], "count": r["n"]} for r in rows]


def by_season(*, node: GridNode) -> list[dict]:
    rows = (
        _received(node)
        .annotate(year=ExtractYear("received_at"), season=ExtractQuarter("received_at"))
        .values("year", "season")
        .annotate(n=Count("pk"))
        .order_by("year", "season")
    )
    return [{"year": r["year"], "season": r["season"], "count": r["n"]} for r in rows]


def quality(*, node: GridNode) -> list[dict]:
    """Per year of receipt: received, resolved, on-time rate, rework rate, satisfaction rate."""
    closed = Q(status=Status.CLOSED)
    rated = closed & ~Q(satisfaction="")
    rows = (
        _received(node)
        .annotate(year=ExtractYear("received_at"))
        .values("year")
        .annotate(
            received=Count("pk"),
            resolved=Count("pk", filter=~Q(resolved_on_time=None)),
            on_time=Count("pk", filter=Q(resolved_on_time=True)),
            closed=Count("pk", filter=closed),
            reworked=Count("pk", filter=closed & Q(rework_count__gt=0)),
            rated=Count("pk", filter=rated),
            satisfied=Count("pk", filter=rated & Q(satisfaction=Satisfaction.SATISFIED)),
        )
        .order_by("year")
    )
    return [
        {
            "year": r["year"],
            "received": r["received"],
            "on_time_rate": _rate(r["on_time"], r["resolved"]),
            "rework_rate": _rate(r["reworked"], r["closed"]),
            "satisfaction_rate": _rate(r["satisfied"], r["rated"]),
        }
        for r in rows
    ]
