"""The figures of a node's dashboard, all SQL aggregates over the node's subtree.

The views and the API fetch the node with `node_get`, through grids.access (a node
outside the user's scope answers 404); every figure function then takes that node and
costs a fixed number of queries whatever the number of rows: headline figures are one
aggregate per source table, the children's table one query with correlated subqueries
per figure.
"""

import datetime
from dataclasses import dataclass

from django.apps import apps
from django.db.models import (
    Avg,
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
)
from django.db.models.functions import TruncMonth, TruncWeek
from django.utils import timezone

from dashboards.mediation_figures import board_items as dispute_items
from dashboards.periods import Window
from grids.access import get_scoped_or_404
from grids.models import GridNode, Post, PostKind
from grids.subtree import count_in_subtree, in_subtree
from hlgrid.lights import light_at_expression as light_expression
from petitions.models import (
    ACTIVE_STATUSES,
    OPEN_STATUSES,
    CheckIn,
    Light,
    Petition,
    PetitionEvent,
    Satisfaction,
    Status,
)
from residents import keypeople as key_lights
from residents.models import Household, KeyMembership, Visit

FIGURES = (
    "received",
    "open",
    "on_time_rate",
    "red",
    "yellow",
    "avg_handling_hours",
    "satisfaction_rate",
    "rework_rate",
    "visit_rate",
    "key_overdue",
    "workers_active",
)


def _rate(part, whole) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None


def _petitions() -> QuerySet:
    return Petition.objects.exclude(status=Status.DRAFT)


def _petition_aggregates(window: Window, now: datetime.datetime) -> dict:
    """The petitions' aggregate expressions, shared by the headline and the children's table."""
    start, end = window.start, window.end
    resolved = Q(resolved_at__gte=start, resolved_at__lt=end)
    closed = Q(status=Status.CLOSED, closed_at__gte=start, closed_at__lt=end)
    open_now = Q(status__in=OPEN_STATUSES)
    return {
        "received": Count("pk", filter=Q(received_at__gte=start, received_at__lt=end)),
        "open": Count("pk", filter=Q(status__in=ACTIVE_STATUSES)),
        "red": Count("pk", filter=open_now & Q(current_light=Light.RED)),
        "yellow": Count("pk", filter=open_now & Q(current_light=Light.YELLOW)),
        "resolved": Count("pk", filter=resolved),
        "resolved_on_time": Count("pk", filter=resolved & Q(resolved_on_time=True)),
        "rated": Count("pk", filter=closed & ~Q(satisfaction="")),
        "satisfied": Count("pk", filter=closed & Q(satisfaction=Satisfaction.SATISFIED)),
        "closed": Count("pk", filter=closed),
        "reworked": Count("pk", filter=closed & Q(rework_count__gt=0)),
    }


def _handling_time() -> ExpressionWrapper:
    return ExpressionWrapper(F("resolved_at") - F("received_at"), output_field=DurationField())


def _petition_figures(raw: dict) -> dict:
    return {
        "received": raw["received"],
        "open": raw["open"],
        "red": raw["red"],
        "yellow": raw["yellow"],
        "resolved": raw["resolved"],
        "on_time_rate": _rate(raw["resolved_on_time"], raw["resolved"]),
        "satisfaction_rate": _rate(raw["satisfied"], raw["rated"]),
        "rework_rate": _rate(raw["reworked"], raw["closed"]),
    }


def headline(*, node: GridNode, window: Window, now: datetime.datetime | None = None) -> dict:
    """Headline figures of `node` for `window` (4 queries)."""
    now = now or timezone.now()
    petitions = _petitions().filter(in_subtree(node, "grid")).annotate(current_light=light_expression(now))
    raw = petitions.aggregate(
        **_petition_aggregates(window, now),
        avg_handling=Avg(
            _handling_time(), filter=Q(resolved_at__gte=window.start, resolved_at__lt=window.end)
        ),
    )
    figures = _petition_figures(raw)
    avg = raw["avg_handling"]
    figures["avg_handling_hours"] = round(avg.total_seconds() / 3600, 1) if avg is not None else None

    visited = Visit.objects.filter(
        household=OuterRef("pk"), visited_at__gte=window.start, visited_at__lt=window.end
    )
    homes = Household.objects.filter(in_subtree(node, "grid")).aggregate(
        households=Count("pk"), visited=Count("pk", filter=Q(Exists(visited)))
    )
    figures["households"] = homes["households"]
    figures["households_visited"] = homes["visited"]
    figures["visit_rate"] = _rate(homes["visited"], homes["households"])

    today = timezone.localdate(now)
    keys = key_lights.with_light(
        KeyMembership.objects.filter(in_subtree(node, "grid"), is_active=True), on=today
    ).aggregate(key_people=Count("pk"), key_overdue=Count("pk", filter=Q(light=Light.RED)))
    figures.update(keys)

    figures["workers"], figures["workers_active"] = _workers(node, window)
    return figures


def _workers(node: GridNode, window: Window) -> tuple[int, int]:
    """Grid workers of the subtree, and those who visited or handled a petition in the window."""
    visits = Visit.objects.filter(
        worker=OuterRef("user"), visited_at__gte=window.start, visited_at__lt=window.end
    )
    acted = PetitionEvent.objects.filter(actor=OuterRef("user"), at__gte=window.start, at__lt=window.end)
    posts = Post.objects.filter(in_subtree(node, "node"), kind=PostKind.WORKER, is_active=True)
    counts = posts.aggregate(
        workers=Count("user", distinct=True),
        active=Count("user", distinct=True, filter=Q(Exists(visits)) | Q(Exists(acted))),
    )
    return counts["workers"], counts["active"]


@dataclass
class ChildRow:
    node: GridNode
    figures: dict


def children(*, node: GridNode, window: Window, now: datetime.datetime | None = None) -> list[ChildRow]:
    """Every headline figure for each child of `node`, in one query."""
    now = now or timezone.now()
    start, end = window.start, window.end
    petitions = _petitions().annotate(current_light=light_expression(now))
    resolved = petitions.filter(resolved_at__gte=start, resolved_at__lt=end)
    closed = petitions.filter(status=Status.CLOSED, closed_at__gte=start, closed_at__lt=end)
    open_now = petitions.filter(status__in=OPEN_STATUSES)
    households = Household.objects.all()
    visited = Visit.objects.filter(household=OuterRef("pk"), visited_at__gte=start, visited_at__lt=end)
    keys = key_lights.with_light(KeyMembership.objects.filter(is_active=True), on=timezone.localdate(now))
    workers = Post.objects.filter(kind=PostKind.WORKER, is_active=True)
    active = workers.filter(
        Q(Exists(Visit.objects.filter(worker=OuterRef("user"), visited_at__gte=start, visited_at__lt=end)))
        | Q(Exists(PetitionEvent.objects.filter(actor=OuterRef("user"), at__gte=start, at__lt=end)))
    )
    rows = node.get_children().annotate(
        c_received=count_in_subtree(petitions.filter(received_at__gte=start, received_at__lt=end), "grid"),
        c_open=count_in_subtree(petitions.filter(status__in=ACTIVE_STATUSES), "grid"),
        c_red=count_in_subtree(open_now.filter(current_light=Light.RED), "grid"),
        c_yellow=count_in_subtree(open_now.filter(current_light=Light.YELLOW), "grid"),
        c_resolved=count_in_subtree(resolved, "grid"),
        c_on_time=count_in_subtree(resolved.filter(resolved_on_time=True), "grid"),
        c_closed=count_in_subtree(closed, "grid"),
        c_rated=count_in_subtree(closed.filter(~Q(satisfaction="")), "grid"),
        c_satisfied=count_in_subtree(closed.filter(satisfaction=Satisfaction.SATISFIED), "grid"),
        c_reworked=count_in_subtree(closed.filter(rework_count__gt=0), "grid"),
        c_households=count_in_subtree(households, "grid"),
        c_visited=count_in_subtree(households.filter(Exists(visited)), "grid"),
        c_key_people=count_in_subtree(keys, "grid"),
        c_key_overdue=count_in_subtree(keys.filter(light=Light.RED), "grid"),
        c_workers=count_in_subtree(workers, "node"),
        c_workers_active=count_in_subtree(active, "node"),
    )
    result = []
    for child in rows.order_by("code"):
        figures = _petition_figures(
            {
                "received": child.c_received,
                "open": child.c_open,
                "red": child.c_red,
                "yellow": child.c_yellow,
                "resolved": child.c_resolved,
                "resolved_on_time": child.c_on_time,
                "satisfied": child.c_satisfied,
                "rated": child.c_rated,
                "reworked": child.c_reworked,
                "closed": child.c_closed,
            }
        )
        figures.update(
            households=child.c_households,
            households_visited=child.c_visited,
            visit_rate=_rate(child.c_visited, child.c_households),
            key_people=child.c_key_people,
            key_overdue=child.c_key_overdue,
            workers=child.c_workers,
            workers_active=child.c_workers_active,
        )
        result.append(ChildRow(node=child, figures=figures))
    return result


@dataclass
class BoardItem:
    kind: str  # "petition", "key_person", "checkin"
    light: str
    due: datetime.datetime
    title: str
    place: str
    url: str


def lights_board(*, node: GridNode, now: datetime.datetime | None = None, limit: int = 50) -> list[BoardItem]:
    """Every RED and YELLOW item of the subtree, oldest deadline first (3 queries)."""
    from django.urls import reverse

    now = now or timezone.now()
    items: list[BoardItem] = []
    petitions = (
        _petitions()
        .filter(in_subtree(node, "grid"), status__in=OPEN_STATUSES)
        .annotate(current_light=light_expression(now))
        .filter(current_light__in=[Light.RED, Light.YELLOW])
        .select_related("grid", "category")
        .order_by("due_at")[:limit]
    )
    for p in petitions:
        items.append(
            BoardItem(
                kind="petition",
                light=p.current_light,
                due=p.due_at,
                title=" · ".join(
                    filter(None, [p.tracking_code, p.category.name if p.category else "", p.description[:40]])
                ),
                place=p.grid.name,
                url=reverse("petitions:detail", args=[p.pk]),
            )
        )
    today = timezone.localdate(now)
    memberships = (
        key_lights.with_light(
            KeyMembership.objects.filter(in_subtree(node, "grid"), is_active=True), on=today
        )
        .filter(light__in=[Light.RED, Light.YELLOW])
        .select_related("resident__household", "group", "grid")
        .order_by("next_visit_due")[:limit]
    )
    for m in memberships:
        due = timezone.make_aware(datetime.datetime.combine(m.next_visit_due, datetime.time.min))
        items.append(
            BoardItem(
                kind="key_person",
                light=m.light,
                due=due,
                title=f"{m.group.name} · {m.resident.name}",
                place=m.grid.name,
                url=reverse("residents:household", args=[m.resident.household_id]),
            )
        )
    checkins = (
        CheckIn.objects.filter(
            in_subtree(node, "whistle__street") | in_subtree(node, "whistle__petition__grid")
        )
        .filter(checked_in_at__isnull=True)
        .annotate(current_light=light_expression(now))
        .filter(current_light__in=[Light.RED, Light.YELLOW])
        .select_related("whistle__street", "department")
        .order_by("due_at")[:limit]
    )
    for c in checkins:
        items.append(
            BoardItem(
                kind="checkin",
                light=c.current_light,
                due=c.due_at,
                title=f"{c.whistle.title} · {c.department.name}",
                place=c.whistle.street.name,
                url=reverse("petitions:whistle", args=[c.whistle_id]),
            )
        )
    items += [BoardItem(kind="dispute", **item) for item in dispute_items(node=node, now=now, limit=limit)]
    items.sort(key=lambda item: (item.light != Light.RED, item.due))
    return items[:limit]


def trends(
    *, node: GridNode, weeks: int = 12, months: int = 12, now: datetime.datetime | None = None
) -> dict:
    """Weekly petitions by category, on-time and satisfaction rates, monthly visit coverage,
    and the share of 优秀 per assessment period (5 queries)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    week_start = today - datetime.timedelta(days=today.weekday() + 7 * (weeks - 1))
    since = timezone.make_aware(datetime.datetime.combine(week_start, datetime.time.min))
    tz = timezone.get_current_timezone()
    petitions = _petitions().filter(in_subtree(node, "grid"))

    week_labels = [(week_start + datetime.timedelta(days=7 * i)).isoformat() for i in range(weeks)]
    by_category: dict[str, dict[str, int]] = {}
    received = (
        petitions.filter(received_at__gte=since)
        .annotate(week=TruncWeek("received_at", tzinfo=tz))
        .order_by()
        .values("week", "category__parent__name", "category__name")
        .annotate(n=Count("pk"))
    )
    for row in received:
        name = row["category__parent__name"] or row["category__name"] or "—"
        week = timezone.localtime(row["week"]).date().isoformat()
        by_category.setdefault(name, dict.fromkeys(week_labels, 0))
        if week in by_category[name]:
            by_category[name][week] += row["n"]

    rates = (
        petitions.filter(Q(resolved_at__gte=since) | Q(closed_at__gte=since))
        .annotate(week=TruncWeek("resolved_at", tzinfo=tz))
        .order_by()
        .values("week")
        .annotate(
            resolved=Count("pk", filter=Q(resolved_at__gte=since)),
            on_time=Count("pk", filter=Q(resolved_at__gte=since, resolved_on_time=True)),
            rated=Count("pk", filter=Q(status=Status.CLOSED) & ~Q(satisfaction="")),
            satisfied=Count("pk", filter=Q(status=Status.CLOSED, satisfaction=Satisfaction.SATISFIED)),
        )
    )
    on_time = dict.fromkeys(week_labels)
    satisfaction = dict.fromkeys(week_labels)
    for row in rates:
        if row["week"] is None:
            continue
        week = timezone.localtime(row["week"]).date().isoformat()
        if week in on_time:
            on_time[week] = _rate(row["on_time"], row["resolved"])
            satisfaction[week] = _rate(row["satisfied"], row["rated"])

    month_start = (today.replace(day=1) - datetime.timedelta(days=31 * (months - 1))).replace(day=1)
    month_since = timezone.make_aware(datetime.datetime.combine(month_start, datetime.time.min))
    households = Household.objects.filter(in_subtree(node, "grid")).count()
    visited = (
        Visit.objects.filter(in_subtree(node, "grid"), visited_at__gte=month_since)
        .annotate(month=TruncMonth("visited_at", tzinfo=tz))
        .order_by()
        .values("month")
        .annotate(n=Count("household", distinct=True))
    )
    coverage = {
        timezone.localtime(row["month"]).date().strftime("%Y-%m"): _rate(row["n"], households)
        for row in visited
    }

    return {
        "weeks": week_labels,
        "received_by_category": by_category,
        "on_time_rate": [on_time[w] for w in week_labels],
        "satisfaction_rate": [satisfaction[w] for w in week_labels],
        "visit_coverage": dict(sorted(coverage.items())),
        "excellent_share": excellent_share(node=node),
    }


def excellent_share(*, node: GridNode) -> list[dict]:
    """Share of 优秀 among the graded, published assessments of the subtree's workers, per period."""
    if not apps.is_installed("evaluation"):
        return []
    from evaluation.models import Assessment, Grade, PeriodStatus

    rows = (
        Assessment.objects.filter(
            in_subtree(node, "grid"), is_current=True, period__status=PeriodStatus.PUBLISHED
        )
        .exclude(grade="")
        .values("period_id", "period__name", "period__starts_on")
        .annotate(total=Count("pk"), excellent=Count("pk", filter=Q(grade=Grade.EXCELLENT)))
        .order_by("period__starts_on")
    )
    return [
        {
            "period": row["period__name"],
            "share": _rate(row["excellent"], row["total"]),
            "assessed": row["total"],
        }
        for row in rows
    ]


def map_features(*, node: GridNode, rows: list[ChildRow]) -> dict:
    """A GeoJSON FeatureCollection of the children (or the node itself when it has none)."""
    from django.urls import reverse

    features = []
    shapes = [(row.node, row.figures) for row in rows] or [(node, {})]
    for shape_node, figures in shapes:
        if not shape_node.boundary:
            continue
        features.append(
            {
                "type": "Feature",
                "properties": {
                    "name": shape_node.name,
                    "id": shape_node.pk,
                    "url": reverse("dashboards:node", args=[shape_node.pk]) if rows else "",
                    **figures,
                },
                "geometry": shape_node.boundary,
            }
        )
    return {"type": "FeatureCollection", "features": features}


def node_get(*, user, pk) -> GridNode:
    """The node of a dashboard, if the user's posts cover it (404 otherwise, as for a missing one)."""
    return get_scoped_or_404(user, GridNode.objects.select_related("parent"), node_path="", pk=pk)


def default_node(*, user) -> GridNode | None:
    """The top-most node of the user's scope (the city for the city's people)."""
    from grids.selectors import scope_roots

    roots = scope_roots(user=user)
    return roots[0] if roots else None
