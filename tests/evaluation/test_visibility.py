import pytest

from evaluation import selectors, services
from evaluation.models import Mode
from tests.evaluation import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def inspected(world):
    period = factories.period(world.assessor)
    factories.inspect(world.assessor, period, world.worker, 70, mode=Mode.OPEN, notes="白天走访看得清楚")
    factories.inspect(world.assessor, period, world.worker, 50, mode=Mode.COVERT, notes="夜里悄悄来看过")
    return period


def _notes(user, period):
    return sorted(selectors.inspection_list(user=user, period=period).values_list("notes", flat=True))


def test_a_covert_inspection_is_invisible_to_the_worker_until_publication(world, inspected, client):
    assert _notes(world.worker, inspected) == ["白天走访看得清楚"]
    client.force_login(world.worker)
    assert "夜里悄悄来看过" not in client.get("/evaluation/mine/").content.decode()
    services.period_compute(actor=world.assessor, period=inspected)
    assert _notes(world.worker, inspected) == ["白天走访看得清楚"]
    services.period_publish(actor=world.assessor, period=inspected)
    assert _notes(world.worker, inspected) == ["夜里悄悄来看过", "白天走访看得清楚"]
    assert "夜里悄悄来看过" in client.get("/evaluation/mine/").content.decode()


def test_the_covert_inspection_is_hidden_in_the_api_too(world, inspected, api_client):
    api_client.force_authenticate(world.worker)
    body = api_client.get("/api/v1/evaluation/inspections/", {"period": inspected.pk}).json()
    assert [row["notes"] for row in body["results"]] == ["白天走访看得清楚"]


def test_the_assessor_sees_both_and_other_workers_see_neither(world, inspected):
    assert _notes(world.assessor, inspected) == ["夜里悄悄来看过", "白天走访看得清楚"]
    assert _notes(world.colleague, inspected) == []
    assert _notes(world.outsider, inspected) == []


def test_results_are_seen_by_the_worker_and_heads_only_once_published(world, inspected):
    factories.inspect(world.assessor, inspected, world.outsider, 90)
    services.period_compute(actor=world.assessor, period=inspected)
    for user in (world.worker, world.gridhead, world.official, world.street_head):
        assert not selectors.assessment_list(user=user, period=inspected).exists()
    assert selectors.assessment_list(user=world.assessor, period=inspected).count() == 4
    services.period_publish(actor=world.assessor, period=inspected)
    own = selectors.assessment_list(user=world.worker, period=inspected)
    assert list(own.values_list("worker_id", flat=True)) == [world.worker.pk]
    heads_see = set(
        selectors.assessment_list(user=world.gridhead, period=inspected).values_list("worker_id", flat=True)
    )
    assert heads_see == {world.worker.pk, world.colleague.pk}
    street = set(
        selectors.assessment_list(user=world.official, period=inspected).values_list("worker_id", flat=True)
    )
    assert street == {world.worker.pk, world.colleague.pk, world.a2_worker.pk}
    assert world.outsider.pk not in street


def test_another_workers_result_answers_404(world, inspected, client):
    factories.inspect(world.assessor, inspected, world.outsider, 90)
    services.period_compute(actor=world.assessor, period=inspected)
    services.period_publish(actor=world.assessor, period=inspected)
    theirs = selectors.assessment_list(user=world.assessor, period=inspected).get(worker=world.outsider)
    client.force_login(world.worker)
    assert client.get(f"/evaluation/results/{theirs.pk}/").status_code == 404
    client.force_login(world.outsider)
    assert client.get(f"/evaluation/results/{theirs.pk}/").status_code == 200


def test_the_public_star_board_shows_name_grid_and_stars_only(world, inspected, client, api_client):
    services.period_compute(actor=world.assessor, period=inspected)
    assert client.get("/evaluation/stars/").status_code == 200
    assert api_client.get("/api/v1/evaluation/stars/").json() == []  # nothing published yet
    services.period_publish(actor=world.assessor, period=inspected)
    rows = api_client.get("/api/v1/evaluation/stars/").json()
    assert rows == [{"name": world.worker.display_name, "grid": world.city.grid_a1.name, "stars": 2}]
    page = client.get("/evaluation/stars/").content.decode()
    assert world.worker.display_name in page and "★★☆☆☆" in page
    assert "60.00" not in page  # no totals, no money


def test_an_assessor_of_one_street_cannot_inspect_a_worker_of_another(world):
    from grids.access import SYSTEM
    from grids.models import PostKind
    from grids.services import post_assign
    from hlgrid.errors import NotFound
    from tests.factories import UserFactory

    local = UserFactory(username="p_local_assessor")
    post_assign(actor=SYSTEM, user=local, kind=PostKind.ASSESSOR, node=world.city.street_a)
    period = factories.period(world.assessor, name="另一期")
    factories.inspect(local, period, world.worker, 80)
    with pytest.raises(NotFound):
        factories.inspect(local, period, world.outsider, 80)
