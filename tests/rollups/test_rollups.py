"""The rollups equal the live computation, follow every change incrementally, and the
nightly rebuild corrects any drift."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from dashboards import history, live, live_history, selectors
from dashboards.periods import window_from
from grids.access import SYSTEM
from grids.models import GridNode
from petitions.models import Overdue, Petition, PetitionEvent, Satisfaction, Status
from residents.models import Visit, VisitKind
from rollups import services
from rollups.models import GridDay, PetitionMark
from tests.dashboards.data import NOW, at, build, petition

pytestmark = pytest.mark.django_db

WINDOWS = (
    {"period": "week"},
    {"period": "month"},
    {"period": "quarter"},
    {"start": "2026-01-01", "end": "2026-03-31"},
    {"start": "2025-12-01", "end": "2026-03-14"},
)


@pytest.fixture
def dataset(city, people):
    with time_machine.travel(NOW, tick=False):
        build(city, people)
    return city


def assert_same_figures(nodes, *, today, now):
    for params in WINDOWS:
        window = window_from(params, today=today)
        for node in nodes:
            assert selectors.headline(node=node, window=window, now=now) == live.headline(
                node=node, window=window, now=now
            ), (node.name, params)
            rows = selectors.children(node=node, window=window, now=now)
            reference = live.children(node=node, window=window, now=now)
            assert [(r.node.pk, r.figures) for r in rows] == [(r.node.pk, r.figures) for r in reference]
    for node in nodes:
        assert selectors.trends(node=node, now=now) == live.trends(node=node, now=now), node.name
        for name in ("quality", "by_category", "by_month", "by_season"):
            assert getattr(history, name)(node=node) == getattr(live_history, name)(node=node), name


def nodes_of(city):
    return [city.city, city.street_a, city.street_b, city.grid_a1, city.grid_b1]


def test_every_figure_equals_the_live_computation_on_a_crafted_dataset(dataset):
    with time_machine.travel(NOW, tick=False):
        assert_same_figures(nodes_of(dataset), today=NOW.date(), now=NOW)


def test_changes_applied_one_by_one_equal_a_rebuild(dataset, people):
    """Each change goes through petition_refresh (as after its commit); the result equals a
    rebuild from the source, which then finds nothing to correct."""
    p = petition(dataset.grid_a1, Status.RECEIVED, received_at=at(-3))
    services.petition_refresh(petition_id=p.pk)
    steps = [
        {"status": Status.HANDLING, "category": None},
        {"status": Status.RESOLVED, "resolved_at": at(-1), "resolved_on_time": False},
        {"status": Status.HANDLING, "resolved_at": None, "rework_count": 1},  # reopened
        {"status": Status.RESOLVED, "resolved_at": at(-0.5), "resolved_on_time": True},
        {"status": Status.CLOSED, "closed_at": at(-0.2), "satisfaction": Satisfaction.PARTLY},
        {"grid": dataset.grid_b1},  # moved to another grid
    ]
    for fields in steps:
        Petition.objects.filter(pk=p.pk).update(**fields)
        services.petition_refresh(petition_id=p.pk)
        assert services.petition_refresh(petition_id=p.pk) == 0  # idempotent
    with time_machine.travel(NOW, tick=False):
        assert_same_figures(nodes_of(dataset), today=NOW.date(), now=NOW)
    assert services.rollup_rebuild(actor=SYSTEM) == {"marks": 0, "rows": 0}
    Petition.objects.filter(pk=p.pk).delete()
    services.petition_refresh(petition_id=p.pk)
    assert not PetitionMark.objects.filter(petition_id=p.pk).exists()
    assert services.rollup_rebuild(actor=SYSTEM) == {"marks": 0, "rows": 0}


def test_a_visit_and_a_return_count_after_commit(dataset, people, django_capture_on_commit_callbacks):
    home = Visit.objects.filter(grid=dataset.grid_a1).first().household
    day = timezone.localdate(NOW)
    before = GridDay.objects.filter(grid=dataset.grid_a1, day=day, category_id=0).first()
    with django_capture_on_commit_callbacks(execute=True):
        Visit.objects.create(
            worker=people.worker,
            household=home,
            grid=dataset.grid_a1,
            visited_at=NOW,
            kind=VisitKind.KEY_PERSON,
        )
    row = GridDay.objects.get(grid=dataset.grid_a1, day=day, category_id=0)
    assert (row.visits, row.key_visits) == (
        (before.visits if before else 0) + 1,
        (before.key_visits if before else 0) + 1,
    )
    p = Petition.objects.filter(grid=dataset.grid_a1, status=Status.HANDLING).first()
    event = PetitionEvent.objects.create(petition=p, action="return", at=NOW)
    from rollups import hooks

    with django_capture_on_commit_callbacks(execute=True):
        hooks.on_petition_event(p, event)
    assert GridDay.objects.get(grid=dataset.grid_a1, day=day, category_id=p.category_id or 0).returned == 1
    assert services.rollup_rebuild(actor=SYSTEM) == {"marks": 0, "rows": 0}


def test_the_sweeper_counts_new_overdue_rows_once(dataset):
    p = Petition.objects.filter(grid=dataset.grid_a1, status=Status.RECEIVED).first()
    Overdue.objects.create(petition=p, step="VERIFY", grid=dataset.grid_a1, due_at=at(-1), recorded_at=NOW)
    assert services.overdue_catch_up(now=NOW) == {"overdue": 1}
    assert services.overdue_catch_up(now=NOW) == {"overdue": 0}
    assert services.rollup_rebuild(actor=SYSTEM) == {"marks": 0, "rows": 0}


def test_the_rebuild_corrects_drift_and_says_how_much(dataset):
    row = GridDay.objects.filter(received__gt=0).first()
    GridDay.objects.filter(pk=row.pk).update(received=row.received + 5)
    PetitionMark.objects.filter(petition_id=Petition.objects.first().pk).delete()
    GridDay.objects.create(grid=dataset.grid_b1, day=datetime.date(2001, 1, 1), received=3)
    assert services.rollup_rebuild(actor=SYSTEM) == {"marks": 0, "rows": 2}
    with time_machine.travel(NOW, tick=False):
        assert_same_figures(nodes_of(dataset), today=NOW.date(), now=NOW)


def test_the_rebuild_is_refused_to_a_person(people):
    from hlgrid.errors import NotFound

    with pytest.raises(NotFound):
        services.rollup_rebuild(actor=people.assessor)


def test_the_demo_citys_figures_equal_the_live_computation(helong):
    now = timezone.now()
    today = timezone.localdate(now)
    street = GridNode.objects.get(name="光明街道")
    city = GridNode.objects.get(parent=None, name__contains="和龙")
    grid = GridNode.objects.filter(kind="GRID").order_by("code").first()
    with time_machine.travel(now, tick=False):
        assert_same_figures([city, street, grid], today=today, now=now)
    assert services.rollup_rebuild(actor=SYSTEM) == {"marks": 0, "rows": 0}
