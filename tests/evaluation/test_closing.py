"""A period is published only once it is over: its end date past, or closed early with a
reason. Before publishing, the page warns about workers with no inspection record and shows
the change against the previous period."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.test import Client

from evaluation import selectors, services
from evaluation.models import PeriodStatus
from hlgrid.errors import InvalidInput, TransitionNotAllowed
from tests.evaluation import factories

pytestmark = pytest.mark.django_db
TZ = datetime.timezone(datetime.timedelta(hours=8))
DURING = datetime.datetime(2026, 3, 20, 10, tzinfo=TZ)  # the first quarter still runs
LAST_EVENING = datetime.datetime(2026, 3, 31, 23, 30, tzinfo=TZ)
AFTER = datetime.datetime(2026, 4, 1, 0, 5, tzinfo=TZ)


def running(world):
    with time_machine.travel(datetime.datetime(2026, 1, 5, tzinfo=TZ), tick=False):
        period = factories.period(world.assessor)
        factories.inspect(world.assessor, period, world.worker, 90)
    return period


def test_a_period_computed_before_its_end_cannot_be_published(world):
    period = running(world)
    for moment in (DURING, LAST_EVENING):
        with time_machine.travel(moment, tick=False):
            period = services.period_compute(actor=world.assessor, period=period)
            assert not services.computed_as_final(period) and not services.period_over(period)
            with pytest.raises(TransitionNotAllowed):
                services.period_publish(actor=world.assessor, period=period)
    period.refresh_from_db()
    assert period.status == PeriodStatus.COMPUTED and period.published_at is None


def test_after_its_end_a_provisional_result_must_be_computed_again_before_publishing(world):
    period = running(world)
    with time_machine.travel(DURING, tick=False):
        services.period_compute(actor=world.assessor, period=period)
    with time_machine.travel(AFTER, tick=False):
        with pytest.raises(TransitionNotAllowed) as refused:
            services.period_publish(actor=world.assessor, period=period)
        assert "again" in str(refused.value.detail) or "重新" in str(refused.value.detail)
        services.period_compute(actor=world.assessor, period=period)
        published = services.period_publish(actor=world.assessor, period=period)
    assert published.status == PeriodStatus.PUBLISHED


def test_closing_early_needs_a_reason_and_then_allows_a_final_computation(world):
    period = running(world)
    with time_machine.travel(DURING, tick=False):
        with pytest.raises(InvalidInput) as refused:
            services.period_close_early(actor=world.assessor, period=period, reason="  ")
        assert "reason" in refused.value.errors
        period.refresh_from_db()
        assert period.closed_early_at is None
        closed = services.period_close_early(actor=world.assessor, period=period, reason="换届提前考核")
        assert (closed.closed_early_at, closed.closed_early_by, closed.close_early_reason) == (
            DURING, world.assessor, "换届提前考核",
        )  # fmt: skip
        with pytest.raises(TransitionNotAllowed):  # once is enough
            services.period_close_early(actor=world.assessor, period=closed, reason="再次")
    with time_machine.travel(DURING + datetime.timedelta(hours=1), tick=False):
        services.period_compute(actor=world.assessor, period=closed)
        published = services.period_publish(actor=world.assessor, period=closed)
    assert published.status == PeriodStatus.PUBLISHED


def test_an_ended_or_draft_period_is_not_closed_early_and_only_assessors_close(world):
    period = running(world)
    with time_machine.travel(DURING, tick=False):
        with pytest.raises(Exception) as refused:
            services.period_close_early(actor=world.worker, period=period, reason="想早点发奖金")
        assert refused.type.__name__ in ("NotFound", "Forbidden")
        draft = factories.period(world.assessor, name="草稿", open_it=False)
        with pytest.raises(TransitionNotAllowed):
            services.period_close_early(actor=world.assessor, period=draft, reason="理由")
    with time_machine.travel(AFTER, tick=False), pytest.raises(TransitionNotAllowed):
        services.period_close_early(actor=world.assessor, period=period, reason="理由")


def test_the_page_offers_closing_early_and_publishing_only_when_final(world):
    period = running(world)
    client = Client()
    client.force_login(world.assessor)
    with time_machine.travel(DURING, tick=False):
        services.period_compute(actor=world.assessor, period=period)
        html = client.get(f"/evaluation/periods/{period.pk}/").content.decode()
        assert 'data-testid="period-running"' in html and 'data-testid="close-early-form"' in html
        assert 'data-testid="publish"' not in html and 'data-testid="publish-unavailable"' in html
        response = client.post(f"/evaluation/periods/{period.pk}/", {"reason": ""})
        assert response.status_code == 200 and 'data-testid="error-reason"' in response.content.decode()
        response = client.post(f"/evaluation/periods/{period.pk}/", {"reason": "年底前结算"})
        assert response.status_code == 302
    with time_machine.travel(DURING + datetime.timedelta(minutes=5), tick=False):
        services.period_compute(actor=world.assessor, period=period)
        html = client.get(f"/evaluation/periods/{period.pk}/").content.decode()
        assert (
            'data-testid="closed-early"' in html and "年底前结算" in html and 'data-testid="publish"' in html
        )


def test_the_api_closes_early_with_a_reason_and_says_whether_results_are_final(world, api_client):
    period = running(world)
    api_client.force_authenticate(world.assessor)
    with time_machine.travel(DURING, tick=False):
        api_client.post(f"/api/v1/evaluation/periods/{period.pk}/compute/")
        assert api_client.post(f"/api/v1/evaluation/periods/{period.pk}/publish/").status_code == 409
        url = f"/api/v1/evaluation/periods/{period.pk}/close-early/"
        assert api_client.post(url, {}, format="json").status_code == 400
        assert api_client.post(url, {"reason": "x", "when": "now"}, format="json").status_code == 400
        body = api_client.post(url, {"reason": "提前结算"}, format="json").json()
        assert body["close_early_reason"] == "提前结算" and body["is_final"] is False
    with time_machine.travel(DURING + datetime.timedelta(minutes=5), tick=False):
        body = api_client.post(f"/api/v1/evaluation/periods/{period.pk}/compute/").json()
        assert body["is_final"] is True
        assert api_client.post(f"/api/v1/evaluation/periods/{period.pk}/publish/").status_code == 200


def test_before_publishing_the_page_names_workers_never_inspected_and_the_change(world):
    with time_machine.travel(datetime.datetime(2025, 10, 2, tzinfo=TZ), tick=False):
        before = factories.period(
            world.assessor, name="2025年第四季度", starts_on=datetime.date(2025, 10, 1),
            ends_on=datetime.date(2025, 12, 31),
        )  # fmt: skip
        factories.inspect(world.assessor, before, world.worker, 70)
        factories.inspect(world.assessor, before, world.colleague, 95)
    with time_machine.travel(datetime.datetime(2026, 1, 2, tzinfo=TZ), tick=False):
        services.period_compute(actor=world.assessor, period=before)
        services.period_publish(actor=world.assessor, period=before)
    period = running(world)  # the worker is inspected (90); the colleague and others are not
    with time_machine.travel(AFTER, tick=False):
        services.period_compute(actor=world.assessor, period=period)
    missing = {a.worker_id for a in selectors.uninspected(user=world.assessor, period=period)}
    assert world.worker.pk not in missing and world.colleague.pk in missing
    change = selectors.change_against_previous(user=world.assessor, period=period)
    assert change.previous == before
    rise = next(a for a in change.rises if a.worker_id == world.worker.pk)
    assert rise.change == Decimal("20.00")  # 70 → 90
    assert change.workers_delta == change.now.workers - change.before.workers
    client = Client()
    client.force_login(world.assessor)
    with time_machine.travel(AFTER, tick=False):
        html = client.get(f"/evaluation/periods/{period.pk}/").content.decode()
    assert 'data-testid="uninspected"' in html and world.colleague.display_name in html
    assert 'data-testid="change"' in html and "+20.00" in html and 'data-testid="publish"' in html
