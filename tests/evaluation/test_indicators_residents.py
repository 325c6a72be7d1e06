"""Household visit coverage and key-person visits, computed from residents' data."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from evaluation import selectors, services
from evaluation.models import AssessmentLine, Rule, Source
from evaluation.services import IndicatorSpec
from residents import services as residents_services
from tests.evaluation import factories
from tests.residents import factories as places

pytestmark = pytest.mark.django_db

INDICATORS = [
    IndicatorSpec(
        "coverage", "入户覆盖", Source.HOUSEHOLD_COVERAGE, Decimal(50), Rule.LINEAR, {"low": 0, "high": 100}
    ),
    IndicatorSpec(
        "key_visits", "重点人群", Source.KEY_VISITS, Decimal(50), Rule.LINEAR, {"low": 0, "high": 100}
    ),
]


@pytest.fixture
def running(world):
    today = timezone.localdate()
    period = factories.period(
        world.assessor,
        scheme_obj=factories.scheme(indicators=INDICATORS),
        starts_on=today - datetime.timedelta(days=60),
        ends_on=today + datetime.timedelta(days=30),
    )
    return period


def _line(worker, code):
    return AssessmentLine.objects.get(
        assessment__worker=worker, assessment__is_current=True, indicator__code=code
    )


def test_household_coverage_is_the_share_of_the_grids_households_visited_in_the_period(world, running):
    now = timezone.now()
    visited = places.household(world.city.grid_a1, door="101")
    also = places.household(world.city.grid_a1, door="102")
    forgotten = places.household(world.city.grid_a1, door="103")
    residents_services.visit_log(
        actor=world.worker, household=visited, visited_at=now - datetime.timedelta(days=3)
    )
    residents_services.visit_log(
        actor=world.colleague, household=also, visited_at=now - datetime.timedelta(days=9)
    )
    # a visit before the period does not count
    residents_services.visit_log(
        actor=world.worker, household=forgotten, visited_at=now - datetime.timedelta(days=90)
    )
    services.period_compute(actor=world.assessor, period=running, now=now)
    for worker in (world.worker, world.colleague):  # the grid's workers share its coverage
        line = _line(worker, "coverage")
        assert (line.numerator, line.denominator, line.raw, line.points) == (
            2,
            3,
            Decimal("66.67"),
            Decimal("33.34"),
        )
    a2 = _line(world.a2_worker, "coverage")
    assert not a2.has_data  # grid A-2 has no households

    assessment = line.assessment
    evidence = selectors.line_evidence(assessment=assessment, indicator=line.indicator)
    assert [row[0] for row in evidence.rows] == [forgotten.label]
    assert (evidence.total, evidence.counted_total, len(evidence.counted_rows)) == (1, 2, 2)
    assert forgotten.label not in [row[0] for row in evidence.counted_rows]


def test_key_people_count_when_visited_within_their_groups_interval(world, running):
    now = timezone.now()
    long_ago = timezone.localdate() - datetime.timedelta(days=100)
    home = places.household(world.city.grid_a1, door="201")
    other = places.household(world.city.grid_a1, door="202")
    places.key_person(home, group_name="重病患者", since=long_ago, name="赵一")  # every 7 days
    places.key_person(other, group_name="重病患者", since=long_ago, name="钱二")
    residents_services.visit_log(
        actor=world.worker, household=home, visited_at=now - datetime.timedelta(days=2)
    )
    residents_services.visit_log(
        actor=world.worker, household=other, visited_at=now - datetime.timedelta(days=20)
    )
    services.period_compute(actor=world.assessor, period=running, now=now)
    line = _line(world.worker, "key_visits")
    assert (line.numerator, line.denominator, line.raw, line.points) == (
        1,
        2,
        Decimal("50.00"),
        Decimal("25.00"),
    )
    evidence = selectors.line_evidence(assessment=line.assessment, indicator=line.indicator)
    assert len(evidence.rows) == 1 and evidence.rows[0][1] == "重病患者"
    assert "钱" in evidence.rows[0][0] and "钱二" not in evidence.rows[0][0]  # masked
    assert (evidence.counted_total, len(evidence.counted_rows)) == (1, 1)
    assert "赵" in evidence.counted_rows[0][0] and "赵一" not in evidence.counted_rows[0][0]


def test_the_drill_down_page_lists_the_households_not_visited(world, running, client):
    now = timezone.now()
    places.household(world.city.grid_a1, door="301")
    services.period_compute(actor=world.assessor, period=running, now=now)
    line = _line(world.worker, "coverage")
    client.force_login(world.assessor)
    page = client.get(f"/evaluation/results/{line.assessment_id}/lines/coverage/")
    assert page.status_code == 200 and "301" in page.content.decode()
    assert 'data-testid="evidence-counted"' in page.content.decode()  # what counted, beside the misses
