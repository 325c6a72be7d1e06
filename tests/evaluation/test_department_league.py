"""The department league (部门同台): figures against independent counts on a crafted dataset."""

import datetime
import random
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from evaluation import departments
from evaluation.indicators import period_window
from grids.access import SYSTEM
from grids.models import PostKind
from grids.services import post_assign
from hlgrid.errors import NotFound
from petitions import services as petition_services
from petitions.models import CheckIn, Level, Overdue, Petition, PetitionEvent, Status, Whistle
from tests.evaluation import factories
from tests.factories import DepartmentFactory, UserFactory
from tests.petitions.factories import garbage_category, report

pytestmark = pytest.mark.django_db
TZ = datetime.timezone(datetime.timedelta(hours=8))
IN_Q1 = datetime.datetime(2026, 2, 10, 9, tzinfo=TZ)
BEFORE_Q1 = datetime.datetime(2025, 12, 20, 9, tzinfo=TZ)
AFTER_Q1 = datetime.datetime(2026, 4, 2, 9, tzinfo=TZ)


def _craft(city, people, depts, *, n, seed=7):
    """Petitions, returns, overdue rows and check-ins spread over departments, grids and
    dates in and out of the period, with random figures."""
    rng = random.Random(seed)
    grids = [city.grid_a1, city.grid_a2, city.grid_b1]
    moments = [BEFORE_Q1, IN_Q1, IN_Q1 + datetime.timedelta(days=20), AFTER_Q1]
    pets = []
    for i in range(n):
        when = rng.choice(moments)
        resolved = rng.choice([None, when + datetime.timedelta(days=1)])
        closed = resolved + datetime.timedelta(days=2) if resolved and rng.random() < 0.7 else None
        pets.append(
            Petition(
                tracking_code=f"L{seed}{i:05d}",
                status=Status.CLOSED if closed else (Status.RESOLVED if resolved else Status.HANDLING),
                source="HOTLINE",
                description="x",
                grid=rng.choice(grids),
                level=Level.DEPARTMENT,
                department=rng.choice([*depts, None]),
                received_at=when,
                classified_at=when,
                resolved_at=resolved,
                resolved_on_time=None if resolved is None else rng.random() < 0.6,
                closed_at=closed,
                rework_count=rng.choice([0, 0, 1, 2]),
                satisfaction=rng.choice(["SATISFIED", "PARTLY", "UNSATISFIED"]) if closed else "",
            )
        )
    pets = Petition.objects.bulk_create(pets)
    PetitionEvent.objects.bulk_create(
        PetitionEvent(
            petition=p,
            action=rng.choice(["return", "note"]),
            department=rng.choice(depts),
            at=rng.choice(moments),
        )
        for p in pets[: n // 2]
    )
    Overdue.objects.bulk_create(
        Overdue(
            petition=p,
            step="HANDLE",
            department=rng.choice([*depts, None]),
            grid=p.grid,
            due_at=rng.choice(moments),
            recorded_at=IN_Q1,
        )
        for p in pets[: n // 3]
    )
    for k, street in enumerate([city.street_a, city.street_b]):
        whistle = Whistle.objects.create(
            street=street,
            title=f"吹哨{k}",
            blown_by=people.official,
            blown_at=IN_Q1,
            deadline=IN_Q1 + datetime.timedelta(hours=2),
        )
        for d in depts:
            due = rng.choice(moments)
            CheckIn.objects.create(
                whistle=whistle,
                department=d,
                due_at=due,
                warn_at=due - datetime.timedelta(hours=1),
                checked_in_at=rng.choice(
                    [None, due - datetime.timedelta(minutes=5), due + datetime.timedelta(hours=1)]
                ),
            )
    return pets


def _expected(city, node, window, depts):
    """Independent counts: plain Python over every row, no shared filters."""

    def inside(n):
        return n.tree_id == node.tree_id and node.lft <= n.lft and n.rght <= node.rght

    def within(t):
        return t is not None and window.start <= t < window.end

    found = {}
    petitions = list(Petition.objects.select_related("grid"))
    events = list(PetitionEvent.objects.select_related("petition__grid"))
    overdues = list(Overdue.objects.select_related("grid"))
    checkins = list(CheckIn.objects.select_related("whistle__street"))
    for d in depts:
        mine = [p for p in petitions if p.department_id == d.pk and inside(p.grid)]
        resolved = [p for p in mine if within(p.resolved_at)]
        rated = [p for p in mine if within(p.closed_at) and p.satisfaction]
        returned = [
            e for e in events
            if e.action == "return" and e.department_id == d.pk and inside(e.petition.grid) and within(e.at)
        ]  # fmt: skip
        due = [
            c for c in checkins if c.department_id == d.pk and inside(c.whistle.street) and within(c.due_at)
        ]
        found[d.pk] = {
            "received": len([p for p in mine if within(p.classified_at)]) + len(returned),
            "returned": len(returned),
            "resolved": len(resolved),
            "on_time": len([p for p in resolved if p.resolved_on_time]),
            "rework": len([p for p in resolved if p.rework_count > 0]),
            "rated": len(rated),
            "satisfied": len([p for p in rated if p.satisfaction in ("SATISFIED", "PARTLY")]),
            "overdue": len(
                [o for o in overdues if o.department_id == d.pk and inside(o.grid) and within(o.due_at)]
            ),
            "checkins": len(due),
            "checkins_on_time": len([c for c in due if c.checked_in_at and c.checked_in_at <= c.due_at]),
        }
    return found


@pytest.fixture
def league_world(world):
    world.depts = [DepartmentFactory(code=f"LD{i}", name=f"联赛部门{i}") for i in range(4)]
    world.quarter = factories.period(SYSTEM)
    return world


NOW = datetime.datetime(2026, 6, 1, tzinfo=datetime.UTC)


@pytest.mark.parametrize("node_name", ["city", "street_a", "community_a", "grid_b1"])
def test_the_league_figures_equal_independent_counts_on_a_crafted_dataset(league_world, node_name):
    w = league_world
    _craft(w.city, w, w.depts, n=240)
    node = getattr(w.city, node_name)
    rows = departments.league(user=w.assessor, node=node, period=w.quarter, now=NOW)
    expected = _expected(w.city, node, period_window(w.quarter, now=NOW), w.depts)
    got = {r.department_id: r for r in rows}
    for dept_id, figures in expected.items():
        if not any(figures.values()):
            assert dept_id not in got
            continue
        row = got[dept_id]
        assert {k: getattr(row, k) for k in figures} == figures
    assert any(r.returned for r in rows) and any(r.overdue for r in rows)


def test_each_figure_drills_down_to_as_many_petitions_as_it_counts(league_world):
    w = league_world
    _craft(w.city, w, w.depts, n=120, seed=3)
    rows = departments.league(user=w.assessor, node=w.city.city, period=w.quarter, now=NOW)
    dept_by_id = {d.pk: d for d in w.depts}
    for row in rows:
        for figure in ("received", "resolved", "on_time", "rework", "rated", "satisfied"):
            petitions = departments.drill_down(
                user=w.assessor,
                node=w.city.city,
                period=w.quarter,
                department=dept_by_id[row.department_id],
                figure=figure,
                now=NOW,
            )
            assert petitions.distinct().count() <= getattr(row, figure)
            if figure != "received":  # a petition may be returned twice: receipts, not petitions
                assert petitions.count() == getattr(row, figure), figure


def test_the_league_is_ranked_by_score_and_the_score_is_bounded(league_world):
    w = league_world
    _craft(w.city, w, w.depts, n=200)
    rows = departments.league(user=w.assessor, node=w.city.city, period=w.quarter, now=NOW)
    assert [r.rank for r in rows] == list(range(1, len(rows) + 1))
    assert [r.score for r in rows] == sorted((r.score for r in rows), reverse=True)
    assert all(Decimal(0) <= r.score <= Decimal(100) for r in rows)


def test_a_row_with_no_cases_scores_in_full_less_its_overdue_rows():
    row = departments.LeagueRow(department_id=1, code="X", name="X", overdue=3)
    assert row.score == Decimal("94.00")
    row = departments.LeagueRow(department_id=1, code="X", name="X", resolved=4, on_time=2)
    assert row.on_time_rate == Decimal("50.00") and row.score == Decimal("80.00")


def test_an_outsider_gets_404_from_the_league_of_another_street(league_world):
    w = league_world
    with pytest.raises(NotFound):
        departments.league(user=w.outsider, node=w.city.street_a, period=w.quarter, now=NOW)
    with pytest.raises(NotFound):
        departments.drill_down(
            user=w.outsider,
            node=w.city.street_a,
            period=w.quarter,
            department=w.depts[0],
            figure="overdue",
            now=NOW,
        )


def test_the_league_runs_a_fixed_number_of_queries_at_two_data_sizes(league_world):
    w = league_world
    _craft(w.city, w, w.depts, n=30, seed=1)
    with CaptureQueriesContext(connection) as small:
        departments.league(user=w.assessor, node=w.city.city, period=w.quarter, now=NOW)
    _craft(w.city, w, [*w.depts, DepartmentFactory(code="LD9", name="联赛部门9")], n=300, seed=2)
    with CaptureQueriesContext(connection) as large:
        departments.league(user=w.assessor, node=w.city.city, period=w.quarter, now=NOW)
    assert len(small) == len(large)


def test_a_return_is_charged_to_the_department_that_gave_the_petition_back(city, people):
    department = DepartmentFactory(code="CG", name="城管局")
    category = garbage_category(department)
    dept_user = UserFactory(username="p_dept")
    post_assign(actor=SYSTEM, user=dept_user, kind=PostKind.DEPARTMENT, node=city.city, department=department)
    petition = report()
    petition = petition_services.petition_verify(actor=people.worker, petition=petition)
    petition = petition_services.petition_classify(
        actor=people.worker, petition=petition, category=category, level=Level.DEPARTMENT
    )
    petition = petition_services.petition_return(actor=dept_user, petition=petition, reason="不属于本部门")
    assert petition.department is None
    event = petition.events.get(action="return")
    assert event.department == department


def test_the_migration_attributes_old_returns_by_the_department_named_in_the_note(city):
    import importlib

    from django.apps import apps

    backfill = importlib.import_module("petitions.migrations.0005_backfill_return_department").backfill
    department = DepartmentFactory(code="CG", name="城管局")
    petition = report()
    old = PetitionEvent.objects.create(petition=petition, action="return", note="城管局: 不归我们", at=IN_Q1)
    unknown = PetitionEvent.objects.create(
        petition=petition, action="return", note="旧部门: 改名了", at=IN_Q1
    )
    backfill(apps, None)
    old.refresh_from_db()
    unknown.refresh_from_db()
    assert old.department == department and unknown.department is None
