import itertools
from decimal import Decimal

import pytest
from django.db.models import Sum

from evaluation import selectors, services
from evaluation.models import Assessment, BonusPayment, HeadBonus, HeadMode, PaymentKind, to_fen
from grids.access import SYSTEM
from grids.models import PostKind
from grids.services import post_assign
from tests.evaluation import factories
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

_names = itertools.count(1)
COEFFICIENTS = {"EXCELLENT": "1.2", "GOOD": "1.0", "PASS": "0.6", "FAIL": "0"}


def _run(world, scores, **scheme_options):
    n = next(_names)
    scheme = factories.scheme(name=f"方案{n}", **scheme_options)
    period = factories.period(world.assessor, name=f"周期{n}", scheme_obj=scheme)
    for worker, score in scores.items():
        factories.inspect(world.assessor, period, worker, score)
    services.period_compute(actor=world.assessor, period=period)
    return period


def test_money_is_rounded_once_to_the_fen_half_up():
    assert to_fen(Decimal("0.005")) == Decimal("0.01")
    assert to_fen(Decimal("0.0049")) == Decimal("0.00")
    assert to_fen(Decimal("2.675")) == Decimal("2.68")  # a float would give 2.67


def test_bonus_coefficients_change_the_bonuses_exactly_as_configured(world):
    scores = {world.worker: 95, world.colleague: 85, world.a2_worker: 65, world.outsider: 40}
    period = _run(world, scores, worker_base="333.33", coefficients=COEFFICIENTS)
    bonuses = dict(
        Assessment.objects.filter(period=period, is_current=True).values_list("worker_id", "bonus")
    )
    assert bonuses == {
        world.worker.pk: Decimal("400.00"),  # 333.33 × 1.2 = 399.996
        world.colleague.pk: Decimal("333.33"),
        world.a2_worker.pk: Decimal("200.00"),  # 333.33 × 0.6 = 199.998
        world.outsider.pk: Decimal("0.00"),
    }
    other = _run(
        world,
        scores,
        worker_base="100",
        coefficients={"EXCELLENT": "2", "GOOD": "1.5", "PASS": "1", "FAIL": "0.5"},
    )
    bonuses = dict(Assessment.objects.filter(period=other, is_current=True).values_list("worker_id", "bonus"))
    assert bonuses == {
        world.worker.pk: Decimal("200.00"),
        world.colleague.pk: Decimal("150.00"),
        world.a2_worker.pk: Decimal("100.00"),
        world.outsider.pk: Decimal("50.00"),
    }


def test_a_grid_heads_bonus_is_its_base_times_the_average_coefficient_of_its_workers(world):
    # grid A-1: worker excellent (1.2), colleague pass (0.6) → average 0.9
    period = _run(world, {world.worker: 95, world.colleague: 65, world.outsider: 85}, head_base="77.77",
                  coefficients=COEFFICIENTS)  # fmt: skip
    head = HeadBonus.objects.get(period=period, grid=world.city.grid_a1, is_current=True)
    assert head.head == world.gridhead
    assert (head.workers, head.factor, head.amount) == (2, Decimal("0.9000"), Decimal("69.99"))  # 69.993


def test_a_grid_heads_bonus_follows_its_workers(world):
    better = _run(world, {world.worker: 95, world.colleague: 95}, head_base="100", coefficients=COEFFICIENTS)
    worse = _run(world, {world.worker: 65, world.colleague: 40}, head_base="100", worker_base="80.5",
                 coefficients=COEFFICIENTS)  # fmt: skip
    amount = lambda p: HeadBonus.objects.get(period=p, grid=world.city.grid_a1, is_current=True).amount  # noqa: E731
    assert amount(better) == Decimal("120.00")
    assert amount(worse) == Decimal("30.00")  # (0.6 + 0) / 2 × 100


def test_the_head_bonus_can_follow_the_grade_of_the_workers_average_instead(world):
    period = _run(world, {world.worker: 95, world.colleague: 70}, head_base="100",
                  head_mode=HeadMode.AVERAGE_TOTAL_GRADE, coefficients=COEFFICIENTS)  # fmt: skip
    head = HeadBonus.objects.get(period=period, grid=world.city.grid_a1, is_current=True)
    assert head.amount == Decimal("100.00")  # average 82.5 → good → 1.0


def test_publishing_writes_a_ledger_whose_sum_equals_the_bonus_total_to_the_fen(world):
    period = _run(world, {world.worker: 95, world.colleague: 85, world.a2_worker: 65, world.outsider: 99},
                  worker_base="123.45", head_base="67.89", coefficients=COEFFICIENTS)  # fmt: skip
    preview = selectors.period_preview(user=world.assessor, period=period)
    services.period_publish(actor=world.assessor, period=period)
    ledger = BonusPayment.objects.filter(period=period).aggregate(t=Sum("amount"))["t"]
    workers = Assessment.objects.filter(period=period, is_current=True).aggregate(t=Sum("bonus"))["t"]
    heads = HeadBonus.objects.filter(period=period, is_current=True).aggregate(t=Sum("amount"))["t"]
    assert ledger == workers + heads == preview.total
    # workers 1.2, 1.0, 0.6 and 1.2 × 123.45; the A-1 head 67.89 × (1.2 + 1.0) / 2 = 74.679
    assert preview.total == Decimal("148.14") + Decimal("123.45") + Decimal("74.07") + Decimal(
        "148.14"
    ) + Decimal("74.68")
    assert preview.total == Decimal("568.48")
    assert selectors.running_total(user=SYSTEM) == ledger
    assert sum(s["total"] for s in preview.by_street) == preview.total


def test_the_ledger_is_append_only(world):
    period = _run(world, {world.worker: 95})
    services.period_publish(actor=world.assessor, period=period)
    payment = BonusPayment.objects.first()
    with pytest.raises(PermissionError):
        payment.save()
    with pytest.raises(PermissionError):
        payment.delete()
    with pytest.raises(PermissionError):
        BonusPayment.objects.update(amount=0)
    with pytest.raises(PermissionError):
        BonusPayment.objects.all().delete()


def test_the_running_total_adds_every_period_paid(world):
    first = _run(world, {world.worker: 95}, worker_base="100", coefficients=COEFFICIENTS)
    services.period_publish(actor=world.assessor, period=first)
    second = _run(world, {world.worker: 85}, worker_base="100.01", coefficients=COEFFICIENTS)
    services.period_publish(actor=world.assessor, period=second)
    expected = BonusPayment.objects.aggregate(t=Sum("amount"))["t"]
    assert selectors.running_total(user=SYSTEM) == expected
    assert BonusPayment.objects.filter(kind=PaymentKind.PAYMENT).count() == BonusPayment.objects.count()


def test_publishing_notifies_the_street_head_and_each_grid_head(world):
    period = _run(world, {world.worker: 95, world.colleague: 85, world.outsider: 90})
    other_head = UserFactory(username="p_head_b1")
    post_assign(actor=SYSTEM, user=other_head, kind=PostKind.HEAD, node=world.city.grid_b1)
    services.period_publish(actor=world.assessor, period=period)
    notices = {n.recipient_id: n for n in period.notices.all()}
    assert set(notices) == {world.street_head.pk, world.gridhead.pk, other_head.pk}
    assert "2" in notices[world.gridhead.pk].text  # two workers in grid A-1
    assert "1" in notices[world.street_head.pk].text
