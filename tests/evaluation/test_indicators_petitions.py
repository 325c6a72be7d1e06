"""On-time rate, callback satisfaction, rework rate and overdue penalties from petitions."""

import datetime
import itertools
from decimal import Decimal

import pytest

from evaluation import selectors, services
from evaluation.models import AssessmentLine, Rule, Source
from evaluation.services import IndicatorSpec
from petitions.models import Overdue, Petition
from tests.evaluation import factories

pytestmark = pytest.mark.django_db

INDICATORS = [
    IndicatorSpec("on_time", "按时办结", Source.ON_TIME, Decimal(30), Rule.LINEAR, {"low": 0, "high": 100}),
    IndicatorSpec(
        "satisfaction", "满意率", Source.SATISFACTION, Decimal(30), Rule.LINEAR, {"low": 0, "high": 100}
    ),
    IndicatorSpec("rework", "返工率", Source.REWORK, Decimal(20), Rule.LINEAR, {"low": 50, "high": 0}),
    IndicatorSpec("overdue", "超时", Source.OVERDUE, Decimal(20), Rule.PENALTY, {"per_item": 3}),
]
IN_PERIOD = datetime.datetime(2026, 2, 10, 9, tzinfo=datetime.UTC)
BEFORE = datetime.datetime(2025, 12, 20, 9, tzinfo=datetime.UTC)
_codes = itertools.count(1)


def petition(worker, grid, *, resolved_at=IN_PERIOD, on_time=True, rework=0, satisfaction="", closed_at=None):
    return Petition.objects.create(
        tracking_code=f"EVAL{next(_codes):06d}",
        status="CLOSED" if closed_at else "RESOLVED",
        source="HOTLINE",
        description="楼道灯坏了",
        grid=grid,
        assignee=worker,
        received_at=resolved_at - datetime.timedelta(days=2),
        handle_due_at=resolved_at - datetime.timedelta(days=1 if not on_time else -1),
        resolved_at=resolved_at,
        resolved_on_time=on_time,
        rework_count=rework,
        satisfaction=satisfaction,
        closed_at=closed_at,
    )


@pytest.fixture
def period(world):
    return factories.period(world.assessor, scheme_obj=factories.scheme(indicators=INDICATORS))


def _lines(worker):
    return {
        line.indicator.code: line
        for line in AssessmentLine.objects.filter(assessment__worker=worker, assessment__is_current=True)
    }


def test_petition_indicators_count_the_workers_own_petitions_in_the_period(world, period):
    grid = world.city.grid_a1
    late = petition(world.worker, grid, on_time=False, rework=1)
    happy = petition(world.worker, grid, on_time=True, satisfaction="SATISFIED", closed_at=IN_PERIOD)
    partly = petition(world.worker, grid, on_time=True, satisfaction="PARTLY", closed_at=IN_PERIOD)
    unhappy = petition(world.worker, grid, on_time=True, satisfaction="UNSATISFIED", closed_at=IN_PERIOD)
    petition(world.worker, grid, resolved_at=BEFORE, on_time=False)  # outside the period
    petition(world.colleague, grid, on_time=False)  # someone else's
    Overdue.objects.create(petition=late, step="HANDLE", user=world.worker, grid=grid, due_at=IN_PERIOD,
                           recorded_at=IN_PERIOD)  # fmt: skip
    Overdue.objects.create(petition=late, step="VERIFY", user=world.worker, grid=grid,
                           due_at=IN_PERIOD - datetime.timedelta(days=3), recorded_at=IN_PERIOD)  # fmt: skip
    services.period_compute(
        actor=world.assessor, period=period, now=datetime.datetime(2026, 4, 2, tzinfo=datetime.UTC)
    )

    lines = _lines(world.worker)
    assert (lines["on_time"].numerator, lines["on_time"].denominator, lines["on_time"].raw) == (
        3,
        4,
        Decimal("75.00"),
    )
    assert lines["on_time"].points == Decimal("22.50")
    assert (lines["satisfaction"].numerator, lines["satisfaction"].denominator) == (2, 3)
    assert lines["satisfaction"].points == Decimal("20.00")
    assert (lines["rework"].raw, lines["rework"].points) == (Decimal("25.00"), Decimal("10.00"))
    assert (lines["overdue"].raw, lines["overdue"].points) == (Decimal("2.00"), Decimal("14.00"))
    total = lines["on_time"].assessment.total
    assert total == sum(line.points for line in lines.values())

    assessment = lines["on_time"].assessment
    on_time = selectors.line_evidence(assessment=assessment, indicator=lines["on_time"].indicator)
    late_rows = on_time.rows
    assert [row[0] for row in late_rows] == [late.tracking_code]
    # The records behind the points, not only the deductions: the three resolved on time.
    assert (on_time.total, on_time.counted_total) == (1, 3)
    assert sorted(row[0] for row in on_time.counted_rows) == sorted(
        p.tracking_code for p in (happy, partly, unhappy)
    )
    satisfaction = selectors.line_evidence(assessment=assessment, indicator=lines["satisfaction"].indicator)
    assert sorted(row[0] for row in satisfaction.counted_rows) == sorted(
        [happy.tracking_code, partly.tracking_code]
    )
    rework = selectors.line_evidence(assessment=assessment, indicator=lines["rework"].indicator)
    assert [row[0] for row in rework.rows] == [late.tracking_code] and rework.counted_total == 3
    unhappy_rows = selectors.line_evidence(
        assessment=assessment, indicator=lines["satisfaction"].indicator
    ).rows
    assert [row[0] for row in unhappy_rows] == [unhappy.tracking_code]
    overdue_rows = selectors.line_evidence(assessment=assessment, indicator=lines["overdue"].indicator).rows
    assert len(overdue_rows) == 2


def test_a_worker_without_petitions_is_not_silently_given_a_rate(world, period):
    petition(world.worker, world.city.grid_a1, on_time=True)
    services.period_compute(
        actor=world.assessor, period=period, now=datetime.datetime(2026, 4, 2, tzinfo=datetime.UTC)
    )
    idle = _lines(world.a2_worker)["on_time"]
    assert not idle.has_data and idle.raw is None
    assert idle.assessment.insufficient_data  # only the overdue count (zero) had data
