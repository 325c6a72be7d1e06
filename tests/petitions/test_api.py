"""The petitions API as residents and staff use it: intake, idempotency, the five steps, scope."""

import pytest

from petitions.models import Category, Overdue, Petition, PetitionEvent, Status
from residents.models import AccessLog
from tests.petitions.factories import POINT_A1, jpeg, report

pytestmark = pytest.mark.django_db
PUBLIC = "/api/v1/public/petitions/"


def public_report(client, *, key=None, **data):
    body = {
        "description": "小区门口垃圾桶满了没人清运",
        "latitude": POINT_A1[0],
        "longitude": POINT_A1[1],
        **data,
    }
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    return client.post(PUBLIC, body, format="json", **headers)


def test_a_public_report_is_routed_to_its_grid_and_the_category_department(api_client, city, team):
    response = public_report(api_client, category=team.category.pk)
    assert response.status_code == 201, response.json()
    answer = response.json()
    assert answer["grid"]["id"] == city.grid_a1.pk
    assert answer["status"] == Status.RECEIVED
    assert answer["light"] == "GREEN"
    assert len(answer["tracking_code"]) == 10
    assert set(answer["tracking_code"]) <= set("23456789ABCDEFGHJKMNPQRSTUVWXYZ")
    petition = Petition.objects.get(tracking_code=answer["tracking_code"])
    assert petition.department == team.department
    assert petition.events.get().action == "intake"


def test_a_report_without_a_category_gets_one_suggested_from_its_keywords(api_client, city, team):
    answer = public_report(api_client).json()
    assert Petition.objects.get(tracking_code=answer["tracking_code"]).category == team.category


def test_the_same_idempotency_key_twice_creates_one_petition_and_returns_the_first_answer(
    api_client, city, team
):
    first = public_report(api_client, key="abc-123")
    second = public_report(api_client, key="abc-123")
    assert first.status_code == 201
    assert second.status_code == 201
    assert second.json() == first.json()
    assert Petition.objects.count() == 1


def test_the_same_idempotency_key_with_another_body_is_refused(api_client, city, team):
    public_report(api_client, key="abc-123")
    response = public_report(api_client, key="abc-123", description="另一个问题")
    assert response.status_code == 422
    assert "Idempotency" in str(response.json()) or response.json()["detail"]
    assert Petition.objects.count() == 1


def test_a_report_outside_the_service_area_is_refused_with_the_field(api_client, city, team):
    response = public_report(api_client, latitude=10.0, longitude=10.0)
    assert response.status_code == 400
    assert "location" in response.json()["errors"]
    assert Petition.objects.count() == 0


def test_public_reports_are_rate_limited_per_client(api_client, city, team, monkeypatch):
    from petitions.api import PublicThrottle

    monkeypatch.setattr(PublicThrottle, "THROTTLE_RATES", {"public": "3/minute"})
    codes = [public_report(api_client, description=f"问题{i}").status_code for i in range(4)]
    assert codes == [201, 201, 201, 429]
    api_client.credentials(HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert public_report(api_client, description="换个地址").status_code == 429


def test_public_tracking_shows_progress_without_personal_data(api_client, city, team):
    answer = public_report(api_client, reporter_name="张三丰", reporter_phone="13812345678").json()
    petition = Petition.objects.get(tracking_code=answer["tracking_code"])
    assert petition.reporter_phone_hint == "138****5678"
    page = api_client.get(f"{PUBLIC}{answer['tracking_code'].lower()}/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "13812345678" not in body and "张三丰" not in body and "138****5678" not in body
    assert page.json()["steps"][0]["action"] == "intake"
    assert api_client.get(f"{PUBLIC}ZZZZZZZZZZ/").status_code == 404


def test_the_full_journey_through_the_api_as_the_right_roles(api_client, city, people, team):
    code = public_report(api_client, category=team.category.pk).json()["tracking_code"]
    pk = Petition.objects.get(tracking_code=code).pk
    api_client.force_authenticate(people.worker)
    assert (
        api_client.post(f"/api/v1/petitions/{pk}/verify/", {"note": "现场核实"}).json()["status"]
        == "VERIFIED"
    )
    classified = api_client.post(
        f"/api/v1/petitions/{pk}/classify/",
        {"category": team.category.pk, "assignee": people.worker.pk},
        format="json",
    )
    assert classified.status_code == 200, classified.json()
    assert classified.json()["status"] == "HANDLING"
    assert classified.json()["handle_due_at"]
    resolved = api_client.post(f"/api/v1/petitions/{pk}/resolve/", {"note": "已清运"})
    assert resolved.json()["status"] == "RESOLVED"
    assert resolved.json()["resolved_on_time"] is True
    api_client.force_authenticate(None)
    rated = api_client.post(
        f"{PUBLIC}{code}/callback/", {"satisfaction": "SATISFIED", "solved": True}, format="json"
    )
    assert rated.status_code == 200, rated.json()
    assert rated.json()["status"] == "CLOSED"
    petition = Petition.objects.get(pk=pk)
    assert petition.closed_at and petition.satisfaction == "SATISFIED" and petition.solved
    actions = list(petition.events.values_list("action", flat=True))
    assert actions == ["intake", "verify", "classify", "resolve", "close"]
    api_client.force_authenticate(people.worker)
    events = api_client.get(f"/api/v1/petitions/{pk}/events/").json()
    assert [e["to_status"] for e in events] == ["RECEIVED", "VERIFIED", "HANDLING", "RESOLVED", "CLOSED"]


def test_an_unsatisfied_callback_reopens_the_petition_as_rework(api_client, city, people, team):
    petition = report(category=team.category)
    api_client.force_authenticate(people.worker)
    api_client.post(f"/api/v1/petitions/{petition.pk}/verify/")
    api_client.post(
        f"/api/v1/petitions/{petition.pk}/classify/",
        {"category": team.category.pk, "assignee": people.worker.pk},
        format="json",
    )
    api_client.post(f"/api/v1/petitions/{petition.pk}/resolve/", {"note": "已清运"})
    reopened = api_client.post(
        f"/api/v1/petitions/{petition.pk}/callback/",
        {"satisfaction": "UNSATISFIED", "solved": False},
        format="json",
    )
    assert reopened.status_code == 200
    assert reopened.json()["status"] == "HANDLING"
    assert reopened.json()["rework_count"] == 1
    assert reopened.json()["due_at"]


def test_a_transition_from_the_wrong_state_answers_409_and_changes_nothing(api_client, city, people, team):
    petition = report(category=team.category)
    api_client.force_authenticate(people.worker)
    response = api_client.post(f"/api/v1/petitions/{petition.pk}/resolve/", {"note": "已清运"})
    assert response.status_code == 409
    assert response.json()["detail"]
    fresh = Petition.objects.get(pk=petition.pk)
    assert fresh.status == Status.RECEIVED and fresh.resolution == "" and fresh.due_at == petition.due_at
    assert PetitionEvent.objects.filter(petition=petition).count() == 1


def test_a_worker_of_another_grid_gets_404(api_client, city, people, team):
    petition = report(category=team.category)
    api_client.force_authenticate(people.outsider)
    assert api_client.get(f"/api/v1/petitions/{petition.pk}/").status_code == 404
    assert api_client.post(f"/api/v1/petitions/{petition.pk}/verify/").status_code == 404
    assert Petition.objects.get(pk=petition.pk).status == Status.RECEIVED
    assert api_client.get("/api/v1/petitions/").json()["results"] == []


def test_an_assessor_sees_but_may_not_act_403(api_client, city, people, team):
    petition = report(category=team.category)
    api_client.force_authenticate(people.assessor)
    assert api_client.get(f"/api/v1/petitions/{petition.pk}/").status_code == 200
    assert api_client.post(f"/api/v1/petitions/{petition.pk}/verify/").status_code == 403


def test_department_staff_see_their_department_s_petitions_only(api_client, city, people, team):
    mine = report(category=team.category)
    other = report(
        category=Category.objects.create(
            city=team.other_department.city, code="X1", name="其他", department=team.other_department
        )
    )
    api_client.force_authenticate(team.dept)
    ids = {row["id"] for row in api_client.get("/api/v1/petitions/").json()["results"]}
    assert ids == {mine.pk}
    assert api_client.get(f"/api/v1/petitions/{other.pk}/").status_code == 404


def test_the_reporter_s_contact_is_masked_and_revealing_it_is_logged(api_client, city, people, team):
    petition = report(category=team.category, reporter_name="张三丰", reporter_phone="13812345678")
    api_client.force_authenticate(people.worker)
    shown = api_client.get(f"/api/v1/petitions/{petition.pk}/").json()
    assert shown["reporter_name"] == "张**" and shown["reporter_phone"] == "138****5678"
    revealed = api_client.post(f"/api/v1/petitions/{petition.pk}/contact/").json()
    assert revealed == {"name": "张三丰", "phone": "13812345678"}
    log = AccessLog.objects.get()
    assert log.actor == people.worker and log.subject_id == str(petition.pk)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT reporter_phone FROM petitions_petition WHERE id = %s", [petition.pk])
        assert "13812345678" not in cursor.fetchone()[0]


def test_attachments_are_listed_and_uploaded_without_exif(api_client, city, people, team):
    petition = report(category=team.category, photos=[jpeg(gps=(42.5, 129.0))])
    api_client.force_authenticate(people.worker)
    listed = api_client.get(f"/api/v1/petitions/{petition.pk}/attachments/").json()
    assert len(listed) == 1
    added = api_client.post(
        f"/api/v1/petitions/{petition.pk}/attachments/", {"photo": jpeg()}, format="multipart"
    )
    assert added.status_code == 201
    bad = api_client.post(
        f"/api/v1/petitions/{petition.pk}/attachments/",
        {"photo": jpeg.__globals__["SimpleUploadedFile"]("x.jpg", b"not an image")},
        format="multipart",
    )
    assert bad.status_code == 400


def test_the_categories_are_public(api_client, city, team):
    names = [c["name"] for c in api_client.get("/api/v1/petition-categories/").json()]
    assert "垃圾清运" in names


def test_the_schema_documents_every_transition_and_its_errors(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    for verb in [
        "verify",
        "reject",
        "merge",
        "classify",
        "escalate",
        "resolve",
        "pause",
        "resume",
        "extend",
        "return",
        "callback",
    ]:
        operation = schema["paths"][f"/api/v1/petitions/{{id}}/{verb}/"]["post"]
        assert {"403", "404", "409"} <= set(operation["responses"]), verb
    public = schema["paths"]["/api/v1/public/petitions/"]["post"]
    assert {"201", "400", "422", "429"} <= set(public["responses"])
    assert "/api/v1/public/petitions/{tracking_code}/callback/" in schema["paths"]
    for path in [
        "/api/v1/whistles/",
        "/api/v1/checkins/{id}/check-in/",
        "/api/v1/petitions/{id}/events/",
        "/api/v1/petitions/{id}/attachments/",
        "/api/v1/petition-categories/",
    ]:
        assert path in schema["paths"], path


def test_no_overdue_rows_exist_before_any_sweep(city, team):
    report(category=team.category)
    assert Overdue.objects.count() == 0


def test_the_petition_list_costs_the_same_queries_at_two_sizes(api_client, city, people, team):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    report(category=team.category)
    api_client.force_authenticate(people.gridhead)
    with CaptureQueriesContext(connection) as small:
        assert len(api_client.get("/api/v1/petitions/").json()["results"]) == 1
    for _ in range(12):
        report(category=team.category, reporter_name="李四", reporter_phone="13900001111")
    with CaptureQueriesContext(connection) as large:
        assert len(api_client.get("/api/v1/petitions/").json()["results"]) == 13
    assert len(large) == len(small)


def test_idempotency_keys_expire_after_a_week(api_client, city, team):
    from datetime import timedelta

    from django.utils import timezone

    from petitions.models import IdempotencyKey
    from petitions.sweep import sweep

    public_report(api_client, key="old-key")
    IdempotencyKey.objects.update(created_at=timezone.now() - timedelta(days=8))
    assert sweep(now=timezone.now())["idempotency_expired"] == 1
