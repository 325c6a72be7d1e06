"""Someone whose posts are elsewhere gets the same refusal (404) through a page, the API and
a direct service call: an assessor of street A for street B's inspections and appeals, and
the outsider (a worker of grid B-1) for the result of a worker of grid A-1."""

import datetime

import pytest
import time_machine

from evaluation import services
from evaluation.models import AppealStatus, Assessment, Inspection
from grids.access import SYSTEM
from grids.models import Post, PostKind
from hlgrid.errors import Forbidden, NotFound
from tests.evaluation import factories
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PUBLISHED_AT = datetime.datetime(2026, 4, 5, 9, tzinfo=datetime.UTC)
IN_THE_WINDOW = datetime.datetime(2026, 4, 8, 9, tzinfo=datetime.UTC)


@pytest.fixture
def street_a_assessor(world):
    user = UserFactory(username="p_street_a_assessor")
    Post.objects.create(user=user, kind=PostKind.ASSESSOR, node=world.city.street_a)
    return user


@pytest.fixture
def published(world):
    """A published period with results in both streets and a pending appeal in street B."""
    period = factories.period(world.assessor)
    factories.inspect(world.assessor, period, world.worker, 88)
    factories.inspect(world.assessor, period, world.outsider, 75)
    services.period_compute(actor=world.assessor, period=period)
    with time_machine.travel(PUBLISHED_AT, tick=False):
        services.period_publish(actor=world.assessor, period=period)
    with time_machine.travel(IN_THE_WINDOW, tick=False):
        appeal = services.appeal_submit(
            actor=world.outsider,
            assessment=Assessment.objects.get(worker=world.outsider, is_current=True),
            reason="暗访那天我在处理急事",
        )
    return period, appeal


def test_an_assessor_of_street_a_gets_404_for_an_inspection_of_street_b(world, street_a_assessor, api_client):
    period = factories.period(world.assessor)
    theirs = factories.inspect(world.assessor, period, world.outsider, 80)

    api_client.force_authenticate(street_a_assessor)
    assert api_client.get(f"/api/v1/evaluation/inspections/{theirs.pk}/").status_code == 404
    assert api_client.delete(f"/api/v1/evaluation/inspections/{theirs.pk}/").status_code == 404
    with pytest.raises(NotFound):
        services.inspection_delete(actor=street_a_assessor, inspection=theirs)
    with pytest.raises(NotFound):
        factories.inspect(street_a_assessor, period, world.outsider, 60)
    assert Inspection.objects.filter(pk=theirs.pk).exists()
    assert Inspection.objects.count() == 1


def test_an_assessor_of_street_a_gets_404_for_an_appeal_of_street_b(
    world, street_a_assessor, published, client, api_client
):
    _period, appeal = published
    client.force_login(street_a_assessor)
    page = client.post(f"/evaluation/appeals/{appeal.pk}/decide", {"verdict": "reject", "decision": "维持"})
    assert page.status_code == 404

    api_client.force_authenticate(street_a_assessor)
    assert api_client.get(f"/api/v1/evaluation/appeals/{appeal.pk}/").status_code == 404
    response = api_client.post(
        f"/api/v1/evaluation/appeals/{appeal.pk}/reject/", {"decision": "维持"}, format="json"
    )
    assert response.status_code == 404 and set(response.json()) == {"detail", "errors"}

    with pytest.raises(NotFound):
        services.appeal_reject(actor=street_a_assessor, appeal=appeal, decision="维持")
    with pytest.raises(NotFound):
        services.appeal_accept(
            actor=street_a_assessor, appeal=appeal, points={"inspection": 80}, decision="改"
        )
    appeal.refresh_from_db()
    assert appeal.status == AppealStatus.PENDING and appeal.decided_by is None


def test_the_outsider_gets_404_for_a_result_of_another_grid(world, published, client, api_client):
    mine = Assessment.objects.get(worker=world.worker, is_current=True)
    client.force_login(world.outsider)
    assert client.get(f"/evaluation/results/{mine.pk}/").status_code == 404
    api_client.force_authenticate(world.outsider)
    assert api_client.get(f"/api/v1/evaluation/assessments/{mine.pk}/").status_code == 404
    with time_machine.travel(IN_THE_WINDOW, tick=False), pytest.raises(NotFound):
        services.appeal_submit(actor=world.outsider, assessment=mine, reason="不是我的")
    assert not mine.appeals.exists()


def test_a_service_called_without_an_actor_is_refused(world, published):
    period, appeal = published
    draft = factories.period(world.assessor, name="草稿", open_it=False)
    inspection = Inspection.objects.filter(period=period).first()
    mine = Assessment.objects.get(worker=world.worker, is_current=True)
    for attempt in (
        lambda: services.scheme_save(actor=None, name="x", indicators=factories.INSPECTION_ONLY),
        lambda: services.scheme_bump(actor=None, scheme=period.scheme),
        lambda: services.scheme_default(actor=None),
        lambda: services.period_create(
            actor=None, name="x", starts_on=datetime.date(2026, 1, 1), ends_on=datetime.date(2026, 3, 31)
        ),
        lambda: services.period_update(actor=None, period=draft, name="y"),
        lambda: services.period_open(actor=None, period=draft),
        lambda: services.period_compute(actor=None, period=period),
        lambda: services.period_publish(actor=None, period=period),
        lambda: services.inspection_record(
            actor=None, period=period, worker=world.worker, method="LOOK", score=1
        ),
        lambda: services.inspection_delete(actor=None, inspection=inspection),
        lambda: services.appeal_submit(actor=None, assessment=mine, reason="x"),
        lambda: services.appeal_reject(actor=None, appeal=appeal, decision="x"),
        lambda: services.appeal_accept(actor=None, appeal=appeal, points={"inspection": 1}, decision="x"),
    ):
        with pytest.raises((Forbidden, NotFound)):
            attempt()
    appeal.refresh_from_db()
    assert appeal.status == AppealStatus.PENDING


def test_the_system_actor_runs_the_assessment_and_is_recorded_as_nobody(world):
    period = factories.period(SYSTEM, name="系统")
    factories.inspect(world.assessor, period, world.worker, 88)
    services.period_compute(actor=SYSTEM, period=period)
    with time_machine.travel(PUBLISHED_AT, tick=False):
        period = services.period_publish(actor=SYSTEM, period=period)
    assert period.published_by is None
    assert all(p.created_by_id is None for p in period.payments.all())
    with time_machine.travel(IN_THE_WINDOW, tick=False):
        appeal = services.appeal_submit(
            actor=SYSTEM, assessment=Assessment.objects.get(worker=world.worker, is_current=True), reason="x"
        )
        appeal = services.appeal_reject(actor=SYSTEM, appeal=appeal, decision="维持")
    assert (appeal.worker, appeal.status, appeal.decided_by) == (world.worker, AppealStatus.REJECTED, None)
    # an inspection names the person who made it
    with pytest.raises(Forbidden):
        factories.inspect(SYSTEM, period, world.worker, 70)
