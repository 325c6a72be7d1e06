"""Mediation success and 排查 punctuality are automatic indicators of the assessment, the grid's
like household coverage, with the records behind them (the evidence) like the others."""

import datetime
from decimal import Decimal

import pytest
import time_machine

from evaluation import selectors as evaluation_selectors
from evaluation import services as evaluation_services
from evaluation.models import AssessmentLine, Rule, Source
from evaluation.services import IndicatorSpec
from grids.access import SYSTEM
from mediation import services
from mediation.sweep import sweep
from tests.evaluation import factories
from tests.mediation.factories import agreed, case, neighbours

pytestmark = pytest.mark.django_db
UTC = datetime.UTC

INDICATORS = [
    IndicatorSpec(
        "inspection", "明察暗访", Source.INSPECTION, Decimal(40), Rule.LINEAR, {"low": 0, "high": 100}
    ),
    IndicatorSpec(
        "mediation", "调解成功率", Source.MEDIATION_SUCCESS, Decimal(30), Rule.LINEAR, {"low": 0, "high": 100}
    ),
    IndicatorSpec(
        "sweep", "排查按时率", Source.REPORT_PUNCTUALITY, Decimal(30), Rule.LINEAR, {"low": 0, "high": 100}
    ),
]


def test_settled_disputes_and_punctual_reports_score_for_the_grids_workers(world):
    city = world.city
    with time_machine.travel(datetime.datetime(2026, 1, 5, 2, tzinfo=UTC), tick=False):
        settled = agreed(city.grid_a1, follow_up_days=7)
        referred = case(city.grid_a1, people=neighbours(city.grid_a1, door_a="401", door_b="402"))
        services.case_grade(actor=SYSTEM, case=referred, risk="HIGH", reasons="x")
        services.case_refer(actor=SYSTEM, case=referred, to="POLICE", reason="涉嫌违法")
        services.report_submit(actor=SYSTEM, grid=city.grid_a1, month=datetime.date(2026, 1, 1), zero=False)
    with time_machine.travel(datetime.datetime(2026, 1, 14, 2, tzinfo=UTC), tick=False):
        services.follow_up_record(actor=SYSTEM, case=settled, holds=True)
    # February: grid A-1 misses the deadline (the sweep records it), March on time
    sweep(now=datetime.datetime(2026, 2, 26, tzinfo=datetime.timezone(datetime.timedelta(hours=8))))
    with time_machine.travel(datetime.datetime(2026, 3, 3, 2, tzinfo=UTC), tick=False):
        services.report_submit(actor=SYSTEM, grid=city.grid_a1, month=datetime.date(2026, 3, 1), zero=True)

    period = factories.period(world.assessor, scheme_obj=factories.scheme(indicators=INDICATORS))
    for worker in (world.worker, world.colleague, world.a2_worker):
        factories.inspect(world.assessor, period, worker, 80)
    evaluation_services.period_compute(
        actor=world.assessor, period=period, now=datetime.datetime(2026, 4, 2, tzinfo=UTC)
    )

    def line(worker, code):
        return AssessmentLine.objects.get(
            assessment__worker=worker, assessment__is_current=True, indicator__code=code
        )

    mediation = line(world.worker, "mediation")
    assert (mediation.numerator, mediation.denominator, mediation.raw) == (1, 2, Decimal("50.00"))
    assert line(world.colleague, "mediation").raw == Decimal("50.00")  # the grid's, shared
    punctual = line(world.worker, "sweep")
    assert (punctual.numerator, punctual.denominator) == (2, 3)  # January and March of three months
    assert line(world.a2_worker, "sweep").numerator == 0  # A-2 reported nothing: missed in February only
    referred_rows = evaluation_selectors.line_evidence(
        assessment=mediation.assessment, indicator=mediation.indicator
    )
    assert [row[0] for row in referred_rows.rows] == [f"#{referred.pk}"]
    late_rows = evaluation_selectors.line_evidence(
        assessment=punctual.assessment, indicator=punctual.indicator
    )
    assert [row[0] for row in late_rows.rows] == ["2026-02"]
