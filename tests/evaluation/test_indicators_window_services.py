"""Services handled at a comprehensive window (全科社工) count for the worker like visits do."""

import datetime
from decimal import Decimal

import pytest

from evaluation import selectors, services
from evaluation.models import AssessmentLine, Rule, Source
from evaluation.services import IndicatorSpec
from party.models import WindowService
from tests.evaluation import factories
from tests.party.factories import ServiceItemFactory, WindowFactory

pytestmark = pytest.mark.django_db

INDICATORS = [
    IndicatorSpec(
        "inspection", "明察暗访", Source.INSPECTION, Decimal(60), Rule.LINEAR, {"low": 0, "high": 100}
    ),
    IndicatorSpec(
        "window", "窗口办件", Source.WINDOW_SERVICES, Decimal(40), Rule.LINEAR, {"low": 0, "high": 10}
    ),
]
IN_PERIOD = datetime.datetime(2026, 2, 10, 9, tzinfo=datetime.UTC)


def serve(worker, grid, when=IN_PERIOD, minutes=15):
    return WindowService.objects.create(
        window=WindowFactory(node=grid.parent.parent),
        node=grid,
        item=ServiceItemFactory(),
        worker=worker,
        served_at=when,
        minutes=minutes,
    )


def test_window_services_in_the_period_score_for_the_worker_who_served(world):
    grid = world.city.grid_a1
    for _ in range(4):
        serve(world.worker, grid)
    serve(world.worker, grid, when=datetime.datetime(2025, 12, 1, tzinfo=datetime.UTC))  # before the period
    serve(world.colleague, grid)
    period = factories.period(world.assessor, scheme_obj=factories.scheme(indicators=INDICATORS))
    factories.inspect(world.assessor, period, world.worker, 80)
    factories.inspect(world.assessor, period, world.colleague, 80)
    services.period_compute(
        actor=world.assessor, period=period, now=datetime.datetime(2026, 4, 2, tzinfo=datetime.UTC)
    )

    line = AssessmentLine.objects.get(
        assessment__worker=world.worker, assessment__is_current=True, indicator__code="window"
    )
    assert (line.raw, line.points) == (Decimal("4.00"), Decimal("16.00"))
    colleague = AssessmentLine.objects.get(
        assessment__worker=world.colleague, assessment__is_current=True, indicator__code="window"
    )
    assert colleague.raw == Decimal("1.00")
    rows = selectors.line_evidence(assessment=line.assessment, indicator=line.indicator).rows
    assert len(rows) == 4 and all(row[3] == 15 for row in rows)
