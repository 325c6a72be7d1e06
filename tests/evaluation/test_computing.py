import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from evaluation import services
from evaluation.models import Assessment, AssessmentLine, Grade, Rule, Source
from evaluation.services import DEFAULT_INDICATORS, IndicatorSpec
from grids.models import Post
from tests.evaluation import factories

pytestmark = pytest.mark.django_db


def _snapshot(period):
    rows = Assessment.objects.filter(period=period, is_current=True).order_by("worker_id")
    snapshot = []
    for a in rows:
        lines = a.lines.order_by("indicator__order")
        snapshot.append(
            (a.worker_id, a.total, a.grade, a.stars, a.rank_street, a.rank_city, a.bonus, a.insufficient_data)
            + tuple((ln.indicator.code, ln.raw, ln.points, ln.explanation) for ln in lines)
        )
    return snapshot


def test_computing_gives_one_assessment_per_active_worker_whose_lines_sum_to_the_total(world):
    period = factories.period(world.assessor, scheme_obj=factories.scheme(indicators=DEFAULT_INDICATORS))
    for worker, score in [
        (world.worker, 95),
        (world.colleague, 70),
        (world.outsider, 88),
        (world.a2_worker, 60),
    ]:
        factories.inspect(world.assessor, period, worker, score)
    services.period_compute(actor=world.assessor, period=period)
    current = Assessment.objects.filter(period=period, is_current=True)
    assert sorted(current.values_list("worker_id", flat=True)) == sorted(
        Post.objects.filter(kind="WORKER", is_active=True).values_list("user_id", flat=True)
    )
    for assessment in current:
        lines = list(assessment.lines.all())
        assert len(lines) == len(DEFAULT_INDICATORS)
        assert sum(line.points for line in lines) == assessment.total


def test_recomputing_unchanged_data_gives_identical_results_and_keeps_the_old_ones(world):
    period = factories.period(world.assessor)
    factories.inspect(world.assessor, period, world.worker, 91)
    factories.inspect(world.assessor, period, world.colleague, 77.5)
    factories.inspect(world.assessor, period, world.outsider, 83)
    services.period_compute(actor=world.assessor, period=period)
    first = _snapshot(period)
    period = services.period_compute(actor=world.assessor, period=period)
    assert period.run == 2
    assert _snapshot(period) == first
    assert Assessment.objects.filter(period=period, is_current=False, run=1).count() == len(first)


def test_recomputing_after_a_new_inspection_changes_the_result_and_keeps_history(world):
    period = factories.period(world.assessor)
    factories.inspect(world.assessor, period, world.worker, 80)
    services.period_compute(actor=world.assessor, period=period)
    factories.inspect(world.assessor, period, world.worker, 100)
    services.period_compute(actor=world.assessor, period=period)
    history = Assessment.objects.filter(period=period, worker=world.worker).order_by("run")
    assert [(a.run, a.total, a.is_current) for a in history] == [
        (1, Decimal("80.00"), False),
        (2, Decimal("90.00"), True),
    ]


def test_grades_stars_and_ranks_follow_the_totals(world):
    period = factories.period(world.assessor)
    scores = {world.worker: 95, world.colleague: 85, world.a2_worker: 85, world.outsider: 50}
    for worker, score in scores.items():
        factories.inspect(world.assessor, period, worker, score)
    services.period_compute(actor=world.assessor, period=period)
    got = {
        a.worker_id: (a.grade, a.stars, a.rank_street, a.rank_city)
        for a in Assessment.objects.filter(period=period, is_current=True)
    }
    assert got[world.worker.pk] == (Grade.EXCELLENT, 5, 1, 1)
    assert got[world.colleague.pk] == (Grade.GOOD, 4, 2, 2)
    assert got[world.a2_worker.pk] == (Grade.GOOD, 4, 2, 2)  # ties share a rank
    assert got[world.outsider.pk] == (Grade.FAIL, 1, 1, 4)  # first of street B, last of the city


def test_changing_the_grade_thresholds_changes_the_grades_exactly_as_configured(world):
    strict = factories.scheme(name="严格", excellent_min=96, good_min=90, pass_min=80)
    lenient = factories.scheme(name="宽松", excellent_min=80, good_min=70, pass_min=50)
    results = {}
    for name, scheme in (("strict", strict), ("lenient", lenient)):
        period = factories.period(world.assessor, name=name, scheme_obj=scheme)
        factories.inspect(world.assessor, period, world.worker, 95)
        factories.inspect(world.assessor, period, world.colleague, 85)
        factories.inspect(world.assessor, period, world.outsider, 60)
        services.period_compute(actor=world.assessor, period=period)
        results[name] = dict(
            Assessment.objects.filter(period=period, is_current=True, insufficient_data=False).values_list(
                "worker_id", "grade"
            )
        )
    assert results["strict"] == {
        world.worker.pk: "GOOD",
        world.colleague.pk: "PASS",
        world.outsider.pk: "FAIL",
    }
    assert results["lenient"] == {
        world.worker.pk: "EXCELLENT",
        world.colleague.pk: "EXCELLENT",
        world.outsider.pk: "PASS",
    }


def test_a_worker_without_data_or_who_joined_mid_period_is_marked_not_scored(world):
    period = factories.period(
        world.assessor, starts_on=datetime.date(2026, 1, 1), ends_on=datetime.date(2026, 3, 31)
    )
    newcomer = factories.worker_in(world.city.grid_a2, "p_newcomer")
    Post.objects.filter(user=newcomer).update(created_at=datetime.datetime(2026, 3, 20, tzinfo=datetime.UTC))
    factories.inspect(world.assessor, period, newcomer, 99)
    factories.inspect(world.assessor, period, world.worker, 90)
    services.period_compute(
        actor=world.assessor, period=period, now=datetime.datetime(2026, 4, 2, tzinfo=datetime.UTC)
    )
    new = Assessment.objects.get(period=period, worker=newcomer, is_current=True)
    assert new.insufficient_data and "在岗" in new.insufficient_reason  # in post for 12% of the period
    assert (new.grade, new.stars, new.rank_city, new.bonus) == ("", None, None, Decimal("0.00"))
    idle = Assessment.objects.get(period=period, worker=world.colleague, is_current=True)
    assert (
        idle.insufficient_data and idle.insufficient_reason == "没有任何指标有数据"
    )  # no indicator had data
    assert Assessment.objects.get(period=period, worker=world.worker, is_current=True).rank_city == 1


def test_a_line_without_data_scores_the_average_of_those_with_data_and_says_so(world):
    indicators = [
        IndicatorSpec(
            "look", "看", Source.INSPECTION, Decimal(50), Rule.LINEAR, {"low": 0, "high": 100}, "LOOK"
        ),
        IndicatorSpec(
            "listen", "听", Source.INSPECTION, Decimal(50), Rule.LINEAR, {"low": 0, "high": 100}, "LISTEN"
        ),
    ]
    period = factories.period(world.assessor, scheme_obj=factories.scheme(indicators=indicators))
    factories.inspect(world.assessor, period, world.worker, 80, method="LOOK")
    factories.inspect(world.assessor, period, world.worker, 60, method="LISTEN")
    factories.inspect(world.assessor, period, world.colleague, 100, method="LOOK")
    services.period_compute(actor=world.assessor, period=period)
    line = AssessmentLine.objects.get(
        assessment__worker=world.colleague, assessment__is_current=True, indicator__code="listen"
    )
    assert not line.has_data and line.points == Decimal("30.00")
    assert "平均" in line.explanation  # the average of the workers with data


def test_each_line_states_its_rule_next_to_the_points(world):
    period = factories.period(world.assessor)
    factories.inspect(world.assessor, period, world.worker, 72.5)
    factories.inspect(world.assessor, period, world.worker, 90)
    services.period_compute(actor=world.assessor, period=period)
    line = AssessmentLine.objects.get(assessment__worker=world.worker, assessment__is_current=True)
    assert line.raw == Decimal("81.25") and line.points == Decimal("81.25")
    assert line.explanation == "2 次考核平均 = 81.25; 线性：0 → 0 分，100 → 100.00 分 → 81.25"


def _compute_queries(world, extra_workers: int) -> int:
    for i in range(extra_workers):
        factories.worker_in(world.city.grids[i % 4], f"extra{extra_workers}_{i}")
    factories.backdate_posts()
    period = factories.period(
        world.assessor, name=f"q{extra_workers}", scheme_obj=factories.scheme(indicators=DEFAULT_INDICATORS)
    )
    for post in Post.objects.filter(kind="WORKER"):
        factories.inspect(world.assessor, period, post.user, 80)
    with CaptureQueriesContext(connection) as ctx:
        services.period_compute(actor=world.assessor, period=period)
    return len(ctx.captured_queries)


# SQLite caps the variables of one statement, so Django splits big bulk inserts into batches
# there; the fixed count is a property of the production database.
@pytest.mark.postgres
def test_computing_runs_a_fixed_number_of_queries_whatever_the_number_of_workers(world):
    small = _compute_queries(world, 2)
    large = _compute_queries(world, 40)
    assert small == large
