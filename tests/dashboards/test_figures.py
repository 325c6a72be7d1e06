"""Every headline figure equals an independent count made with plain ORM queries."""

import datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dashboards import selectors
from dashboards.periods import Window, window_from
from grids.models import GridNode, Post, PostKind
from petitions.models import Petition, PetitionEvent, Status
from residents.models import Household, KeyMembership, Visit
from tests.dashboards.data import NOW, build

pytestmark = pytest.mark.django_db

OPEN = {Status.RECEIVED, Status.VERIFIED, Status.ESCALATED, Status.HANDLING, Status.RESOLVED}


@pytest.fixture
def dataset(city, people):
    with time_machine.travel(NOW, tick=False):
        build(city, people)
    return city


def grids_under(node) -> list[int]:
    """The grids below `node`, found by walking parent links (not the MPTT columns)."""
    found, frontier = [], [node.pk]
    while frontier:
        children = list(GridNode.objects.filter(parent_id__in=frontier).values_list("pk", "kind"))
        found += [pk for pk, kind in children if kind == "GRID"]
        frontier = [pk for pk, _ in children]
    return found or [node.pk]


def expected(node, window: Window, now=NOW) -> dict:
    grids = grids_under(node)
    rows = list(Petition.objects.filter(grid_id__in=grids).exclude(status=Status.DRAFT))

    def within(value):
        return value is not None and window.start <= value < window.end

    resolved = [p for p in rows if within(p.resolved_at)]
    closed = [p for p in rows if p.status == Status.CLOSED and within(p.closed_at)]
    rated = [p for p in closed if p.satisfaction]

    def rate(part, whole):
        return round(100.0 * len(part) / len(whole), 1) if whole else None

    def light(p):
        if p.due_at is None:
            return p.light
        if p.due_at <= now:
            return "RED"
        if p.warn_at and p.warn_at <= now:
            return "YELLOW"
        return "GREEN"

    households = list(Household.objects.filter(grid_id__in=grids))
    visited = {
        v.household_id
        for v in Visit.objects.filter(grid_id__in=grids)
        if window.start <= v.visited_at < window.end
    }
    memberships = list(KeyMembership.objects.filter(grid_id__in=grids, is_active=True))
    workers = set(
        Post.objects.filter(node_id__in=grids, kind=PostKind.WORKER, is_active=True).values_list(
            "user_id", flat=True
        )
    )
    active = {
        v.worker_id
        for v in Visit.objects.filter(worker_id__in=workers)
        if window.start <= v.visited_at < window.end
    }
    active |= {
        e.actor_id
        for e in PetitionEvent.objects.filter(actor_id__in=workers)
        if window.start <= e.at < window.end
    }
    hours = [(p.resolved_at - p.received_at).total_seconds() / 3600 for p in resolved]
    return {
        "received": len([p for p in rows if within(p.received_at)]),
        "open": len([p for p in rows if p.status in OPEN or p.status == Status.PAUSED]),
        "red": len([p for p in rows if p.status in OPEN and light(p) == "RED"]),
        "yellow": len([p for p in rows if p.status in OPEN and light(p) == "YELLOW"]),
        "resolved": len(resolved),
        "on_time_rate": rate([p for p in resolved if p.resolved_on_time], resolved),
        "avg_handling_hours": round(sum(hours) / len(hours), 1) if hours else None,
        "satisfaction_rate": rate([p for p in rated if p.satisfaction == "SATISFIED"], rated),
        "rework_rate": rate([p for p in closed if p.rework_count > 0], closed),
        "households": len(households),
        "households_visited": len(visited),
        "visit_rate": rate(visited, households),
        "key_people": len(memberships),
        "key_overdue": len([m for m in memberships if m.next_visit_due < timezone.localdate(now)]),
        "workers": len(workers),
        "workers_active": len(active),
    }


WINDOWS = [
    {"period": "month"},
    {"start": "2026-02-01", "end": "2026-03-31"},
]


@pytest.mark.parametrize("params", WINDOWS)
@pytest.mark.parametrize("node_name", ["city", "street_a", "grid_b1"])
def test_headline_figures_equal_independent_counts(dataset, params, node_name):
    node = getattr(dataset, node_name)
    window = window_from(params, today=NOW.date())
    with time_machine.travel(NOW, tick=False):
        figures = selectors.headline(node=node, window=window, now=NOW)
    assert figures == expected(node, window)


@pytest.mark.parametrize("params", WINDOWS)
def test_every_child_row_equals_the_childs_own_headline(dataset, params):
    window = window_from(params, today=NOW.date())
    with time_machine.travel(NOW, tick=False):
        rows = selectors.children(node=dataset.city, window=window, now=NOW)
        assert [row.node.code for row in rows] == ["T-A", "T-B"]
        for row in rows:
            own = selectors.headline(node=row.node, window=window, now=NOW)
            own.pop("avg_handling_hours")
            assert row.figures == own


def test_the_dashboard_costs_the_same_queries_at_two_sizes(client, city, people):
    client.force_login(people.assessor)

    def count(url):
        from django.core.cache import cache

        cache.clear()
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx)

    with time_machine.travel(NOW, tick=False):
        build(city, people, copies=1)
        small = {node: count(f"/dashboards/{node.pk}/") for node in (city.city, city.grid_a1)}
        build(city, people, seed=2, copies=4)
        large = {node: count(f"/dashboards/{node.pk}/") for node in (city.city, city.grid_a1)}
    assert large == small


def test_windows_are_read_from_the_query_string():
    today = datetime.date(2026, 3, 15)
    assert window_from({}, today=today).first_day == datetime.date(2026, 3, 1)
    week = window_from({"period": "week"}, today=today)
    assert (week.first_day, week.last_day) == (datetime.date(2026, 3, 9), datetime.date(2026, 3, 15))
    quarter = window_from({"period": "quarter"}, today=today)
    assert (quarter.first_day, quarter.last_day) == (datetime.date(2026, 1, 1), datetime.date(2026, 3, 31))
    custom = window_from({"start": "2026-01-05", "end": "2026-01-05"}, today=today)
    assert custom.end - custom.start == datetime.timedelta(days=1)


@pytest.mark.parametrize(
    "params, field",
    [
        ({"period": "decade"}, "period"),
        ({"start": "2026-13-01", "end": "2026-12-01"}, "start"),
        ({"start": "2026-03-01", "end": "2026-02-01"}, "end"),
        ({"start": "2026-03-01"}, "end"),
    ],
)
def test_bad_windows_name_the_field(params, field):
    from hlgrid.errors import InvalidInput

    with pytest.raises(InvalidInput) as exc:
        window_from(params, today=datetime.date(2026, 3, 15))
    assert field in exc.value.errors


def test_the_demo_citys_figures_equal_independent_counts(helong):
    now = timezone.now()
    today = timezone.localdate(now)
    street = GridNode.objects.get(name="光明街道")
    grid = GridNode.objects.filter(kind="GRID").order_by("code").first()
    for params in (
        {"period": "quarter"},
        {
            "start": (today.replace(day=1) - datetime.timedelta(days=200)).isoformat(),
            "end": today.isoformat(),
        },
    ):
        window = window_from(params, today=today)
        with time_machine.travel(now, tick=False):
            for node in (street, grid):
                figures = selectors.headline(node=node, window=window, now=now)
                assert figures == expected(node, window, now), (node.name, params)
    assert selectors.headline(node=street, window=window, now=now)["received"] > 0
