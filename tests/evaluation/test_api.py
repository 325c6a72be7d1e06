import pytest

from evaluation import services
from evaluation.models import Assessment
from tests.evaluation import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def as_assessor(world, api_client):
    api_client.force_authenticate(world.assessor)
    return api_client


def test_the_assessor_runs_a_period_through_the_api(world, as_assessor):
    factories.scheme(name="网格员绩效考核")
    created = as_assessor.post(
        "/api/v1/evaluation/periods/",
        {"name": "2026年第二季度", "starts_on": "2026-04-01", "ends_on": "2026-06-30"},
        format="json",
    )
    assert created.status_code == 201, created.json()
    pk = created.json()["id"]
    assert as_assessor.post(f"/api/v1/evaluation/periods/{pk}/open/").json()["status"] == "OPEN"
    inspection = as_assessor.post(
        "/api/v1/evaluation/inspections/",
        {"period": pk, "worker": world.worker.pk, "method": "LISTEN", "mode": "COVERT", "score": "93.5"},
        format="json",
    )
    assert inspection.status_code == 201, inspection.json()
    assert as_assessor.post(f"/api/v1/evaluation/periods/{pk}/compute/").json()["status"] == "COMPUTED"
    preview = as_assessor.get(f"/api/v1/evaluation/periods/{pk}/preview/").json()
    assert preview["workers"] == 4 and preview["graded"] == 1
    assert as_assessor.post(f"/api/v1/evaluation/periods/{pk}/publish/").json()["status"] == "PUBLISHED"
    assert as_assessor.get("/api/v1/evaluation/payments/total/").json()["total"] == preview["total"]
    mine = Assessment.objects.get(worker=world.worker, is_current=True)
    detail = as_assessor.get(f"/api/v1/evaluation/assessments/{mine.pk}/").json()
    assert detail["total"] == "93.50" and detail["lines"][0]["explanation"]
    evidence = as_assessor.get(
        f"/api/v1/evaluation/assessments/{mine.pk}/evidence/", {"indicator": "inspection"}
    )
    assert evidence.json()["rows"][0][3] == "93.50"


def test_every_change_to_a_published_period_answers_409(world, as_assessor):
    period = factories.period(world.assessor)
    inspection = factories.inspect(world.assessor, period, world.worker, 80)
    services.period_compute(actor=world.assessor, period=period)
    services.period_publish(actor=world.assessor, period=period)
    base = f"/api/v1/evaluation/periods/{period.pk}"
    for response in (
        as_assessor.post(f"{base}/compute/"),
        as_assessor.post(f"{base}/publish/"),
        as_assessor.post(f"{base}/open/"),
        as_assessor.patch(f"{base}/", {"name": "改名"}, format="json"),
        as_assessor.post(
            "/api/v1/evaluation/inspections/",
            {"period": period.pk, "worker": world.worker.pk, "method": "LOOK", "score": 99},
            format="json",
        ),
        as_assessor.delete(f"/api/v1/evaluation/inspections/{inspection.pk}/"),
    ):
        assert response.status_code == 409, response.content
        assert set(response.json()) == {"detail", "errors"}


def test_bad_input_names_the_field(world, as_assessor):
    period = factories.period(world.assessor)
    response = as_assessor.post(
        "/api/v1/evaluation/inspections/",
        {"period": period.pk, "worker": world.worker.pk, "method": "LOOK", "score": 120},
        format="json",
    )
    assert response.status_code == 400 and "score" in response.json()["errors"]


def test_workers_cannot_run_periods(world, api_client):
    api_client.force_authenticate(world.worker)
    period = factories.period(world.assessor, open_it=False)
    assert api_client.post(f"/api/v1/evaluation/periods/{period.pk}/open/").status_code == 403
    assert api_client.get("/api/v1/evaluation/payments/").status_code == 403


def test_the_assessment_list_is_scoped(world, api_client):
    period = factories.period(world.assessor)
    for worker in (world.worker, world.outsider):
        factories.inspect(world.assessor, period, worker, 90)
    services.period_compute(actor=world.assessor, period=period)
    services.period_publish(actor=world.assessor, period=period)
    api_client.force_authenticate(world.gridhead)
    rows = api_client.get("/api/v1/evaluation/assessments/", {"period": period.pk}).json()["results"]
    assert {r["worker"] for r in rows} == {world.worker.pk, world.colleague.pk}
    theirs = Assessment.objects.get(worker=world.outsider, is_current=True)
    assert api_client.get(f"/api/v1/evaluation/assessments/{theirs.pk}/").status_code == 404


def test_the_share_of_excellent_per_period_is_served(world, as_assessor):
    period = factories.period(world.assessor)
    factories.inspect(world.assessor, period, world.worker, 95)
    factories.inspect(world.assessor, period, world.colleague, 80)
    services.period_compute(actor=world.assessor, period=period)
    services.period_publish(actor=world.assessor, period=period)
    rows = as_assessor.get("/api/v1/evaluation/periods/excellent-share/").json()
    assert [(r["graded"], r["excellent"], r["share"]) for r in rows] == [(2, 1, "50.0")]


def test_the_api_is_in_the_openapi_schema(world, as_assessor):
    schema = as_assessor.get("/api/schema/", {"format": "json"}).json()
    paths = schema["paths"]
    for path in (
        "/api/v1/evaluation/periods/",
        "/api/v1/evaluation/periods/{id}/publish/",
        "/api/v1/evaluation/inspections/",
        "/api/v1/evaluation/assessments/{id}/evidence/",
        "/api/v1/evaluation/appeals/{id}/accept/",
        "/api/v1/evaluation/payments/total/",
        "/api/v1/evaluation/stars/",
    ):
        assert path in paths, path
