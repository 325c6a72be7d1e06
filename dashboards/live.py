"""The dashboard's figures computed from the source rows alone (every petition under the node).

The reference the rollups must equal (tests/rollups compare every figure on a crafted
dataset and on the demo city) and the baseline of bench/bench_dashboards_rollups.py; pages
read dashboards.selectors, which sums the rollups and adds the live lights.
"""

import datetime

from django.db.models import Avg, Count, Exists, OuterRef, Q
from django.db.models.functions import TruncMonth, TruncWeek
from django.utils import timezone

from dashboards.periods import Window
from dashboards.selectors import (
    ChildRow,
    _handling_time,
    _people_figures,
    _petition_aggregates,
    _petition_figures,
    _petitions,
    _rate,
    excellent_share,
)
from grids.models import GridNode, Post, PostKind
from grids.subtree import count_in_subtree, in_subtree
from hlgrid.lights import light_at_expression as light_expression
from petitions.models import ACTIVE_STATUSES, OPEN_STATUSES, Light, PetitionEvent, Satisfaction, Status
from residents import keypeople as key_lights
from residents.models import Household, KeyMembership, Visit


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

    figures.update(_people_figures(node, window, now))
    return figures


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
