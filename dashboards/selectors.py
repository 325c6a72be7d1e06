"""The figures of a node's dashboard, all SQL aggregates over the node's subtree.

The views and the API fetch the node with `node_get`, through grids.access (a node
outside the user's scope answers 404); every figure function then takes that node and
costs a fixed number of queries whatever the number of rows. The window's petition
figures (received, resolved, on time, handling time, closed, rated, satisfied, rework) are
sums of the rollups (rollups.GridDay, per grid, day and category) over the subtree, so
they read grids × days rows instead of every petition under the node; what only the live
rows know (open petitions and their lights, households visited, key people, workers) is
counted live on indexed filters. dashboards.live is the same figures from the source
rows alone: the reference the tests compare with.
"""

import datetime
from collections import Counter
from dataclasses import dataclass

from django.apps import apps
from django.db.models import (
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
)
from django.db.models.functions import TruncMonth
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
    Category,
    CheckIn,
    Light,
    Petition,
    PetitionEvent,
    Satisfaction,
    Status,
)
from residents import keypeople as key_lights
from residents.models import Household, KeyMembership, Visit
from rollups.selectors import by_day_and_category as rollup_days
from rollups.selectors import child_totals as rollup_children
from rollups.selectors import subtree_totals as rollup_totals

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


def _rollup_figures(totals) -> dict:
    """The petition figures of a window from summed rollups (rollups.models.GridDay)."""
    return {
        "received": totals["received"],
        "resolved": totals["resolved"],
        "resolved_on_time": totals["on_time"],
        "rated": totals["rated"],
        "satisfied": totals["satisfied"],
        "closed": totals["closed"],
        "reworked": totals["reworked"],
    }


def _avg_hours(totals) -> float | None:
    if not totals["handled"]:
        return None
    return round(totals["handling_us"] / totals["handled"] / 3_600_000_000, 1)


def _live_lights(now: datetime.datetime) -> dict:
    """What only the live rows know: petitions open now and their current lights."""
    open_now = Q(status__in=OPEN_STATUSES)
    return {
        "open": Count("pk"),
        "red": Count("pk", filter=open_now & Q(current_light=Light.RED)),
        "yellow": Count("pk", filter=open_now & Q(current_light=Light.YELLOW)),
    }


def _active_petitions(now: datetime.datetime) -> QuerySet:
    return Petition.objects.filter(status__in=ACTIVE_STATUSES).annotate(current_light=light_expression(now))


def headline(*, node: GridNode, window: Window, now: datetime.datetime | None = None) -> dict:
    """Headline figures of `node` for `window` (5 queries): the window's petition figures
    summed from the rollups, the open petitions and their lights live."""
    now = now or timezone.now()
    totals = rollup_totals(node=node, first_day=window.first_day, last_day=window.last_day)
    live = _active_petitions(now).filter(in_subtree(node, "grid")).aggregate(**_live_lights(now))
    figures = _petition_figures({**_rollup_figures(totals), **live})
    figures["avg_handling_hours"] = _avg_hours(totals)

    figures.update(_people_figures(node, window, now))
    return figures


def _people_figures(node: GridNode, window: Window, now: datetime.datetime) -> dict:
    """The households visited, the key people and their red lights, the workers and those
    active: read live on indexed filters (3 queries), by the rollups' headline and the live
    reference alike."""
    visited = Visit.objects.filter(
        household=OuterRef("pk"), visited_at__gte=window.start, visited_at__lt=window.end
    )
    homes = Household.objects.filter(in_subtree(node, "grid")).aggregate(
        households=Count("pk"), visited=Count("pk", filter=Q(Exists(visited)))
    )
    figures = {
        "households": homes["households"],
        "households_visited": homes["visited"],
        "visit_rate": _rate(homes["visited"], homes["households"]),
    }
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
    """Every headline figure for each child of `node` (4 queries): the petition figures
    summed from the rollups per child, the lights of the open petitions grouped per grid,
    the households, key people and workers in one query with a subquery per figure."""
    now = now or timezone.now()
    start, end = window.start, window.end
    households = Household.objects.all()
    visited = Visit.objects.filter(household=OuterRef("pk"), visited_at__gte=start, visited_at__lt=end)
    keys = key_lights.with_light(KeyMembership.objects.filter(is_active=True), on=timezone.localdate(now))
    workers = Post.objects.filter(kind=PostKind.WORKER, is_active=True)
    active = workers.filter(
        Q(Exists(Visit.objects.filter(worker=OuterRef("user"), visited_at__gte=start, visited_at__lt=end)))
        | Q(Exists(PetitionEvent.objects.filter(actor=OuterRef("user"), at__gte=start, at__lt=end)))
    )
    rows = list(
        node.get_children()
        .annotate(
            c_households=count_in_subtree(households, "grid"),
            c_visited=count_in_subtree(households.filter(Exists(visited)), "grid"),
            c_key_people=count_in_subtree(keys, "grid"),
            c_key_overdue=count_in_subtree(keys.filter(light=Light.RED), "grid"),
            c_workers=count_in_subtree(workers, "node"),
            c_workers_active=count_in_subtree(active, "node"),
        )
        .order_by("code")
    )
    totals = rollup_children(node=node, children=rows, first_day=window.first_day, last_day=window.last_day)
    lights = {child.pk: {"open": 0, "red": 0, "yellow": 0} for child in rows}
    ranges = sorted((child.lft, child.rght, child.pk) for child in rows)
    per_grid = (
        _active_petitions(now)
        .filter(in_subtree(node, "grid"))
        .values("grid_id", lft=F("grid__lft"))
        .annotate(**_live_lights(now))
        .order_by()
    )
    for grid in per_grid:
        for lft, rght, pk in ranges:
            if lft <= grid["lft"] <= rght:
                for figure in ("open", "red", "yellow"):
                    lights[pk][figure] += grid[figure]
                break
    result = []
    for child in rows:
        figures = _petition_figures({**_rollup_figures(totals[child.pk]), **lights[child.pk]})
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


def _category_names() -> dict[int, str]:
    """Category id -> the name the trends group by: its parent's, else its own (0: "—")."""
    names = {0: "—"}
    for pk, name, parent in Category.objects.values_list("pk", "name", "parent__name"):
        names[pk] = parent or name or "—"
    return names


def trends(
    *, node: GridNode, weeks: int = 12, months: int = 12, now: datetime.datetime | None = None
) -> dict:
    """Weekly petitions by category, on-time and satisfaction rates (by week of resolution),
    from the rollups; monthly visit coverage and the share of 优秀 per assessment period
    (5 queries)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    week_start = today - datetime.timedelta(days=today.weekday() + 7 * (weeks - 1))
    tz = timezone.get_current_timezone()

    week_labels = [(week_start + datetime.timedelta(days=7 * i)).isoformat() for i in range(weeks)]
    rows = rollup_days(
        node=node,
        first_day=week_start,
        last_day=None,
        measures=("received", "resolved", "on_time", "res_rated", "res_satisfied"),
    )
    names = _category_names()
    by_category: dict[str, dict[str, int]] = {}
    weekly = {label: Counter() for label in week_labels}
    for row in rows:
        week = (row["day"] - datetime.timedelta(days=row["day"].weekday())).isoformat()
        if week not in weekly:
            continue
        if row["received"]:
            name = names.get(row["category_id"], "—")
            by_category.setdefault(name, dict.fromkeys(week_labels, 0))
            by_category[name][week] += row["received"]
        weekly[week].update({k: row[k] or 0 for k in ("resolved", "on_time", "res_rated", "res_satisfied")})
    on_time = {w: _rate(c["on_time"], c["resolved"]) if c["resolved"] else None for w, c in weekly.items()}
    satisfaction = {w: _rate(c["res_satisfied"], c["res_rated"]) for w, c in weekly.items()}

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
