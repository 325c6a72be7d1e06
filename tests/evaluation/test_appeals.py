import datetime
from decimal import Decimal

import pytest
import time_machine
from django.db.models import Sum

from evaluation import services
from evaluation.models import AppealStatus, Assessment, BonusPayment, HeadBonus, PaymentKind
from hlgrid.errors import InvalidInput, NotFound, TransitionNotAllowed
from tests.evaluation import factories

pytestmark = pytest.mark.django_db

COEFFICIENTS = {"EXCELLENT": "1.2", "GOOD": "1.0", "PASS": "0.6", "FAIL": "0"}


@pytest.fixture
def published(world):
    scheme = factories.scheme(worker_base="100", head_base="50", coefficients=COEFFICIENTS, appeal_days=7)
    period = factories.period(world.assessor, scheme_obj=scheme)
    factories.inspect(world.assessor, period, world.worker, 88)
    factories.inspect(world.assessor, period, world.colleague, 95)
    services.period_compute(actor=world.assessor, period=period)
    with time_machine.travel(datetime.datetime(2026, 4, 5, 9, tzinfo=datetime.UTC), tick=False):
        services.period_publish(actor=world.assessor, period=period)
    return period


def _mine(world, period):
    return Assessment.objects.get(period=period, worker=world.worker, is_current=True)


def test_an_accepted_appeal_produces_a_corrected_result_and_keeps_the_original(world, published):
    original = _mine(world, published)
    assert (original.total, original.grade, original.bonus) == (Decimal("88.00"), "GOOD", Decimal("100.00"))
    with time_machine.travel(datetime.datetime(2026, 4, 8, tzinfo=datetime.UTC)):
        appeal = services.appeal_submit(
            actor=world.worker, assessment=original, reason="暗访那天我在处理急事"
        )
        appeal = services.appeal_accept(
            actor=world.assessor, appeal=appeal, points={"inspection": "92"}, decision="核实后改为92分"
        )
    assert appeal.status == AppealStatus.ACCEPTED
    corrected = _mine(world, published)
    assert corrected.pk != original.pk and corrected.corrects_id == original.pk
    assert (corrected.total, corrected.grade, corrected.bonus) == (
        Decimal("92.00"),
        "EXCELLENT",
        Decimal("120.00"),
    )
    original.refresh_from_db()
    assert (original.is_current, original.total, original.grade) == (False, Decimal("88.00"), "GOOD")
    assert original.lines.get().points == Decimal("88.00")
    assert "92" in corrected.lines.get().explanation


def test_an_accepted_appeal_records_corrections_in_the_ledger_for_the_worker_and_the_grid_head(
    world, published
):
    before = BonusPayment.objects.aggregate(t=Sum("amount"))["t"]
    with time_machine.travel(datetime.datetime(2026, 4, 8, tzinfo=datetime.UTC)):
        appeal = services.appeal_submit(actor=world.worker, assessment=_mine(world, published), reason="理由")
        services.appeal_accept(actor=world.assessor, appeal=appeal, points={"inspection": 92}, decision="改")
    corrections = BonusPayment.objects.filter(kind=PaymentKind.CORRECTION).order_by("role")
    # the head's coefficient goes from (1.0 + 1.2) / 2 to (1.2 + 1.2) / 2: 50 × 0.1 more
    assert [(c.role, c.amount) for c in corrections] == [
        ("HEAD", Decimal("5.00")),
        ("WORKER", Decimal("20.00")),
    ]
    ledger = BonusPayment.objects.aggregate(t=Sum("amount"))["t"]
    assert ledger == before + Decimal("25.00")
    workers = Assessment.objects.filter(period=published, is_current=True).aggregate(t=Sum("bonus"))["t"]
    heads = HeadBonus.objects.filter(period=published, is_current=True).aggregate(t=Sum("amount"))["t"]
    assert ledger == workers + heads


def test_a_rejected_appeal_changes_nothing_but_records_why(world, published):
    with time_machine.travel(datetime.datetime(2026, 4, 8, tzinfo=datetime.UTC)):
        appeal = services.appeal_submit(actor=world.worker, assessment=_mine(world, published), reason="理由")
        appeal = services.appeal_reject(actor=world.assessor, appeal=appeal, decision="证据充分，维持原结果")
    assert appeal.status == AppealStatus.REJECTED and appeal.decision
    assert _mine(world, published).total == Decimal("88.00")
    with pytest.raises(TransitionNotAllowed):
        services.appeal_reject(actor=world.assessor, appeal=appeal, decision="again")


def test_the_appeal_window_closes_after_the_configured_days(world, published):
    with (
        time_machine.travel(datetime.datetime(2026, 4, 12, 10, tzinfo=datetime.UTC)),
        pytest.raises(TransitionNotAllowed),
    ):
        services.appeal_submit(actor=world.worker, assessment=_mine(world, published), reason="太晚了")


def test_only_the_worker_may_appeal_its_result_and_needs_a_reason(world, published):
    with time_machine.travel(datetime.datetime(2026, 4, 8, tzinfo=datetime.UTC)):
        with pytest.raises(NotFound):
            services.appeal_submit(actor=world.colleague, assessment=_mine(world, published), reason="x")
        with pytest.raises(InvalidInput):
            services.appeal_submit(actor=world.worker, assessment=_mine(world, published), reason=" ")


def test_a_result_that_is_not_published_cannot_be_appealed(world):
    period = factories.period(world.assessor)
    factories.inspect(world.assessor, period, world.worker, 80)
    services.period_compute(actor=world.assessor, period=period)
    with pytest.raises(TransitionNotAllowed):
        services.appeal_submit(actor=world.worker, assessment=_mine(world, period), reason="x")


def test_a_worker_appeals_through_the_page(world, published, client):
    client.force_login(world.worker)
    mine = _mine(world, published)
    with time_machine.travel(datetime.datetime(2026, 4, 8, tzinfo=datetime.UTC)):
        page = client.get(f"/evaluation/results/{mine.pk}/")
        assert 'data-testid="appeal-form"' in page.content.decode()
        response = client.post(f"/evaluation/results/{mine.pk}/", {"reason": "分数有误"})
    assert response.status_code == 302
    assert mine.appeals.get().reason == "分数有误"


def test_an_appeals_status_changes_only_through_its_transitions(world, published, api_client):
    with time_machine.travel(datetime.datetime(2026, 4, 8, tzinfo=datetime.UTC)):
        appeal = services.appeal_submit(actor=world.worker, assessment=_mine(world, published), reason="理由")
    with pytest.raises(AttributeError):
        appeal.status = AppealStatus.ACCEPTED
    services.appeal_reject(actor=world.assessor, appeal=appeal, decision="维持")
    api_client.force_authenticate(world.assessor)
    again = api_client.post(
        f"/api/v1/evaluation/appeals/{appeal.pk}/accept/",
        {"points": {"inspection": "92"}, "decision": "改"},
        format="json",
    )
    assert again.status_code == 409 and set(again.json()) == {"detail", "errors"}
    appeal.refresh_from_db()
    assert appeal.status == AppealStatus.REJECTED
