import datetime
from decimal import Decimal

import pytest

from evaluation import services
from evaluation.models import Indicator, PeriodStatus, Rule, Source
from evaluation.services import IndicatorSpec
from hlgrid.errors import Forbidden, InvalidInput, TransitionNotAllowed
from tests.evaluation import factories

pytestmark = pytest.mark.django_db


def test_a_period_goes_draft_open_computed_published(world):
    period = factories.period(world.assessor, open_it=False)
    assert period.status == PeriodStatus.DRAFT
    period = services.period_open(actor=world.assessor, period=period)
    assert period.status == PeriodStatus.OPEN
    factories.inspect(world.assessor, period, world.worker, 90)
    period = services.period_compute(actor=world.assessor, period=period)
    assert period.status == PeriodStatus.COMPUTED
    period = services.period_publish(actor=world.assessor, period=period)
    assert period.status == PeriodStatus.PUBLISHED
    assert period.published_by == world.assessor


def test_a_draft_cannot_be_computed_or_published(world):
    period = factories.period(world.assessor, open_it=False)
    with pytest.raises(TransitionNotAllowed):
        services.period_compute(actor=world.assessor, period=period)
    with pytest.raises(TransitionNotAllowed):
        services.period_publish(actor=world.assessor, period=period)


def test_an_open_period_cannot_be_published_before_it_is_computed(world):
    period = factories.period(world.assessor)
    with pytest.raises(TransitionNotAllowed):
        services.period_publish(actor=world.assessor, period=period)


def test_a_published_period_refuses_every_change(world):
    period = factories.period(world.assessor)
    factories.inspect(world.assessor, period, world.worker, 90)
    services.period_compute(actor=world.assessor, period=period)
    services.period_publish(actor=world.assessor, period=period)
    for attempt in (
        lambda: services.period_compute(actor=world.assessor, period=period),
        lambda: services.period_publish(actor=world.assessor, period=period),
        lambda: services.period_open(actor=world.assessor, period=period),
        lambda: services.period_update(actor=world.assessor, period=period, name="x"),
        lambda: factories.inspect(world.assessor, period, world.worker, 50),
        lambda: services.inspection_delete(actor=world.assessor, inspection=period.inspections.first()),
    ):
        with pytest.raises(TransitionNotAllowed):
            attempt()


def test_opening_freezes_the_scheme_so_later_edits_do_not_change_the_period(world):
    scheme = factories.scheme(worker_base=100)
    period = factories.period(world.assessor, scheme_obj=scheme)
    assert period.scheme_version == 1
    factories.scheme(
        indicators=[
            IndicatorSpec("a", "甲", Source.INSPECTION, Decimal(60), Rule.LINEAR, {"low": 0, "high": 100}),
            IndicatorSpec("b", "乙", Source.OVERDUE, Decimal(40), Rule.PENALTY, {"per_item": 5}),
        ],
        worker_base=500,
        excellent_min=95,
    )
    scheme.refresh_from_db()
    assert scheme.version == 2
    period.refresh_from_db()
    assert list(Indicator.objects.filter(period=period).values_list("code", flat=True)) == ["inspection"]
    assert period.bonus_rule.worker_base == Decimal("100.00")
    assert period.excellent_min == Decimal("90.00")
    assert period.scheme_version == 1


def test_weights_must_add_up_to_100():
    with pytest.raises(InvalidInput) as caught:
        factories.scheme(
            indicators=[
                IndicatorSpec(
                    "a", "甲", Source.INSPECTION, Decimal(60), Rule.LINEAR, {"low": 0, "high": 100}
                ),
                IndicatorSpec("b", "乙", Source.OVERDUE, Decimal(30), Rule.PENALTY, {"per_item": 5}),
            ]
        )
    assert "100" in caught.value.errors["indicators"][0]


@pytest.mark.parametrize(
    ("rule", "params"),
    [(Rule.LINEAR, {"low": 5, "high": 5}), (Rule.PENALTY, {"per_item": 0}), (Rule.THRESHOLDS, {"steps": []})],
)
def test_a_rule_with_bad_parameters_is_refused(rule, params):
    with pytest.raises(InvalidInput):
        factories.scheme(indicators=[IndicatorSpec("a", "甲", Source.INSPECTION, Decimal(100), rule, params)])


def test_grade_thresholds_must_be_in_order():
    with pytest.raises(InvalidInput):
        factories.scheme(excellent_min=80, good_min=85)


def test_only_assessors_manage_periods(world):
    with pytest.raises(Forbidden):
        services.period_create(
            actor=world.gridhead,
            name="x",
            starts_on=datetime.date(2026, 1, 1),
            ends_on=datetime.date(2026, 3, 31),
        )
    period = factories.period(world.assessor, open_it=False)
    with pytest.raises(Forbidden):
        services.period_open(actor=world.worker, period=period)


def test_a_period_must_end_after_it_starts(world):
    with pytest.raises(InvalidInput) as caught:
        services.period_create(
            actor=world.assessor,
            name="x",
            starts_on=datetime.date(2026, 3, 1),
            ends_on=datetime.date(2026, 1, 1),
        )
    assert "ends_on" in caught.value.errors
