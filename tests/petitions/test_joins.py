"""我也遇到了: the open reports nearby, joining one instead of a duplicate, the joiner's own code
and rating, and the public look-ups (nearby, buildings) leaking no personal data."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from hlgrid.crypto import lookup_hash
from hlgrid.errors import InvalidInput, NotFound, TransitionNotAllowed
from petitions import selectors, services
from petitions.models import IdempotencyKey, Petition, PetitionEvent, PetitionJoin, Status
from tests.petitions.factories import POINT_A1, CategoryFactory, jpeg, report

pytestmark = pytest.mark.django_db
NEARBY = "/api/v1/public/petitions/nearby/"
JOIN = "/api/v1/public/petitions/join/"
BUILDINGS = "/api/v1/public/buildings/"
NEAR = (POINT_A1[0] + 0.0002, POINT_A1[1])  # about 22 m north of POINT_A1
PHONE = "13912345678"


def join(petition, *, at=NEAR, **extra):
    return services.petition_join(tracking_code_or_pk=petition.pk, latitude=at[0], longitude=at[1], **extra)


def resolved(people, team, petition):
    services.petition_verify(actor=people.worker, petition=petition)
    services.petition_classify(
        actor=people.worker, petition=petition, category=team.category, assignee=people.worker
    )
    return services.petition_resolve(actor=people.worker, petition=petition, note="已清运")


# --- the join service ------------------------------------------------------------------------------
def test_a_resident_joins_an_open_report_and_gets_a_code_of_their_own(city, team):
    petition = report(category=team.category, reporter_phone="13800001111")
    joined, created = join(petition, note="我家楼下也是", phone=PHONE, notify=True)
    assert created
    assert joined.petition == petition
    assert len(joined.tracking_code) == 10 and joined.tracking_code != petition.tracking_code
    assert joined.reporter_notify is True
    assert joined.reporter_phone_hint == "139****5678"
    assert joined.reporter_phone_hash == lookup_hash(PHONE)
    with connection.cursor() as cursor:
        cursor.execute("SELECT reporter_phone FROM petitions_petitionjoin")
        assert PHONE not in cursor.fetchone()[0]
    assert Petition.objects.count() == 1  # no duplicate petition
    assert PetitionEvent.objects.filter(petition=petition, action="join").count() == 1


@pytest.mark.parametrize("finish", ["reject", "close"])
def test_only_an_active_report_can_be_joined(city, people, team, finish):
    petition = report(category=team.category)
    if finish == "reject":
        services.petition_reject(actor=people.worker, petition=petition, reason="不属实")
    else:
        resolved(people, team, petition)
        services.public_callback(tracking_code=petition.tracking_code, satisfaction="SATISFIED", solved=True)
    with pytest.raises(TransitionNotAllowed):
        join(petition)
    assert PetitionJoin.objects.count() == 0


def test_joining_by_id_needs_a_position_near_the_report(city, team):
    petition = report(category=team.category)
    with pytest.raises(InvalidInput):
        services.petition_join(tracking_code_or_pk=petition.pk)
    with pytest.raises(NotFound):
        join(petition, at=(POINT_A1[0] + 0.003, POINT_A1[1]))  # ~330 m away
    with pytest.raises(NotFound):
        join(Petition(pk=petition.pk + 99))
    assert PetitionJoin.objects.count() == 0


def test_joining_by_tracking_code_needs_no_position_and_a_merged_code_joins_the_survivor(city, people, team):
    parent = report(category=team.category)
    child = report(category=team.category)
    services.petition_merge(actor=people.worker, petition=child, into=parent)
    joined, _created = services.petition_join(tracking_code_or_pk=child.tracking_code.lower())
    assert joined.petition == parent


def test_the_sms_opt_in_without_a_phone_is_refused_and_nothing_is_created(city, team):
    petition = report(category=team.category)
    with pytest.raises(InvalidInput) as refused:
        join(petition, notify=True)
    assert "notify" in refused.value.errors
    with pytest.raises(InvalidInput):
        join(petition, phone="12ab")
    with pytest.raises(InvalidInput):
        join(petition, note="很" * 301)
    assert PetitionJoin.objects.count() == 0
    assert not PetitionEvent.objects.filter(action="join").exists()


def test_the_same_phone_joining_twice_gets_its_first_join_back(city, team):
    petition = report(category=team.category)
    first, created = join(petition, phone=PHONE)
    again, created_again = join(petition, phone="139 1234 5678")
    assert created and not created_again
    assert again.pk == first.pk and PetitionJoin.objects.count() == 1


def test_the_same_idempotency_key_twice_makes_one_join_and_another_body_is_refused(city, team):
    petition = report(category=team.category)
    first, created = join(petition, idempotency_key="k-1", fingerprint="body-1")
    again, created_again = join(petition, idempotency_key="k-1", fingerprint="body-1")
    assert created and not created_again and again.pk == first.pk
    with pytest.raises(InvalidInput) as conflict:
        join(petition, idempotency_key="k-1", fingerprint="body-2", note="别的")
    assert conflict.value.status_code == 422
    assert PetitionJoin.objects.count() == 1
    # A join's key never meets a report's key of the same text.
    assert IdempotencyKey.objects.get().key == "join:k-1"


# --- the joiner's rating --------------------------------------------------------------------------
def test_a_joiner_rates_only_once_the_report_is_resolved_and_only_once(city, people, team):
    petition = report(category=team.category)
    joined, _ = join(petition)
    with pytest.raises(TransitionNotAllowed):
        services.public_callback(tracking_code=joined.tracking_code, satisfaction="SATISFIED", solved=True)
    resolved(people, team, petition)
    services.public_callback(tracking_code=joined.tracking_code, satisfaction="UNSATISFIED", solved=False)
    joined.refresh_from_db()
    petition.refresh_from_db()
    assert joined.satisfaction == "UNSATISFIED" and joined.solved is False and joined.rated_at
    # The joiner's rating is recorded beside the reporter's: it neither reopens nor closes.
    assert petition.status == Status.RESOLVED and petition.rework_count == 0 and petition.satisfaction == ""
    with pytest.raises(TransitionNotAllowed):
        services.petition_join_rate(tracking_code=joined.tracking_code, satisfaction="SATISFIED", solved=True)
    # The reporter's rating still drives the callback step.
    services.public_callback(tracking_code=petition.tracking_code, satisfaction="SATISFIED", solved=True)
    petition.refresh_from_db()
    assert petition.status == Status.CLOSED


def test_a_joiner_may_still_rate_after_the_reporter_closed_it(city, people, team):
    petition = report(category=team.category)
    joined, _ = join(petition)
    resolved(people, team, petition)
    services.public_callback(tracking_code=petition.tracking_code, satisfaction="SATISFIED", solved=True)
    services.petition_join_rate(tracking_code=joined.tracking_code, satisfaction="PARTLY", solved=True)
    joined.refresh_from_db()
    assert joined.satisfaction == "PARTLY"
    with pytest.raises(InvalidInput):
        services.petition_join_rate(tracking_code="NOPE", satisfaction="BAD", solved=True)


def test_the_staff_page_counts_the_joiners_and_their_ratings(client, city, people, team):
    petition = report(category=team.category)
    first, _ = join(petition)
    join(petition, phone=PHONE)
    resolved(people, team, petition)
    services.petition_join_rate(tracking_code=first.tracking_code, satisfaction="SATISFIED", solved=True)
    assert selectors.join_summary(petition=petition) == {
        "count": 2,
        "rated": 1,
        "satisfied": 1,
        "unsatisfied": 0,
    }
    client.force_login(people.worker)
    page = client.get(f"/petitions/{petition.pk}/").content.decode()
    assert 'data-testid="petition-joins"' in page


# --- the joiner's tracking page --------------------------------------------------------------------
def test_a_joiner_s_code_opens_the_shared_report_with_its_steps_and_photos(client, city, people, team):
    petition = report(
        category=team.category, photos=[jpeg()], reporter_name="张三", reporter_phone="13800001111"
    )
    joined, _ = join(petition, phone=PHONE)
    services.petition_verify(actor=people.worker, petition=petition)
    shown = selectors.public_petition(tracking_code=joined.tracking_code)
    assert shown.pk == petition.pk and shown.asked_code == joined.tracking_code and shown.join == joined
    photo = petition.attachments.get()
    page = client.get(f"/petitions/track/{joined.tracking_code}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="track-joined"' in html
    assert f"/petitions/track/{joined.tracking_code}/photos/{photo.pk}/" in html
    assert 'data-state="done" data-step="verified"' in html
    for secret in ("张三", "13800001111", "1380000", PHONE, petition.tracking_code, people.worker.username):
        assert secret not in html
    assert client.get(f"/petitions/track/{joined.tracking_code}/photos/{photo.pk}/").status_code == 200
    api = client.get(f"/api/v1/public/petitions/{joined.tracking_code}/").json()
    assert api["tracking_code"] == joined.tracking_code and api["joined"] is True and api["can_rate"] is False


def test_the_joiner_rates_on_the_tracking_page(client, city, people, team):
    petition = report(category=team.category)
    joined, _ = join(petition)
    resolved(people, team, petition)
    page = client.get(f"/petitions/track/{joined.tracking_code}/").content.decode()
    assert 'data-testid="rating-form"' in page
    answer = client.post(
        f"/petitions/track/{joined.tracking_code}/", {"satisfaction": "SATISFIED", "solved": "1"}
    )
    assert answer.status_code == 302
    page = client.get(f"/petitions/track/{joined.tracking_code}/").content.decode()
    assert 'data-testid="rating-form"' not in page and 'data-testid="track-rated"' in page
    petition.refresh_from_db()
    assert petition.status == Status.RESOLVED


def test_the_tracking_page_shows_a_final_badge_that_fits_the_end_state(client, city, people, team):
    rejected = report(category=team.category)
    services.petition_reject(actor=people.worker, petition=rejected, reason="不在辖区范围")
    html = client.get(f"/petitions/track/{rejected.tracking_code}/").content.decode()
    assert 'data-kind="rejected"' in html and "不在辖区范围" in html
    closed = report(category=team.category)
    resolved(people, team, closed)
    services.public_callback(tracking_code=closed.tracking_code, satisfaction="SATISFIED", solved=True)
    html = client.get(f"/petitions/track/{closed.tracking_code}/").content.decode()
    assert 'data-kind="closed"' in html and 'data-state="done" data-step="closed"' in html
    parent = report(category=team.category)
    child = report(category=team.category)
    services.petition_merge(actor=people.worker, petition=child, into=parent)
    html = client.get(f"/petitions/track/{child.tracking_code}/").content.decode()
    assert 'data-kind="merged"' in html and 'data-testid="track-merged"' in html
    assert parent.tracking_code not in html  # the survivor's code stays its reporter's


# --- the public nearby list --------------------------------------------------------------------------
def test_nearby_shows_open_reports_of_the_category_within_50_m_and_no_personal_data(
    api_client, city, people, team
):
    other_category = CategoryFactory(code="SW01", name="路灯不亮")
    near = report(
        category=team.category,
        description="垃圾桶满了 联系我13800001111",
        reporter_name="张三",
        reporter_phone="13800001111",
        address="光明路3号",
        photos=[jpeg()],
    )
    join(near)
    report(category=other_category)  # same place, other category
    report(category=team.category, at=(POINT_A1[0] + 0.003, POINT_A1[1]))  # 330 m away
    closed = report(category=team.category)
    services.petition_reject(actor=people.worker, petition=closed, reason="重复")
    response = api_client.get(NEARBY, {"lat": NEAR[0], "lng": NEAR[1], "category": team.category.pk})
    assert response.status_code == 200
    answer = response.json()
    assert [r["id"] for r in answer["results"]] == [near.pk]
    row = answer["results"][0]
    assert row["photo_count"] == 1 and row["joined_count"] == 1 and 15 <= row["distance_m"] <= 30
    assert row["status"] == "RECEIVED"
    text = response.content.decode()
    for secret in ("张三", "13800001111", "1380000", "光明路", near.tracking_code):
        assert secret not in text
    assert set(row) == {
        "id", "category", "summary", "received_on", "status", "status_display",
        "photo_count", "joined_count", "distance_m",
    }  # fmt: skip


def test_nearby_suggests_the_category_from_the_text_when_none_is_chosen(api_client, city, team):
    near = report(category=team.category)
    answer = api_client.get(NEARBY, {"lat": NEAR[0], "lng": NEAR[1], "text": "垃圾桶又满了"}).json()
    assert answer["category"]["id"] == team.category.pk
    assert [r["id"] for r in answer["results"]] == [near.pk]
    assert api_client.get(NEARBY, {"lat": NEAR[0], "lng": NEAR[1]}).json()["results"] == []
    assert api_client.get(NEARBY, {"lat": "x", "lng": NEAR[1]}).status_code == 400
    assert api_client.get(NEARBY, {"lat": NEAR[0], "lng": NEAR[1], "category": 99999}).status_code == 400


def test_nearby_runs_a_fixed_number_of_queries_whatever_the_number_of_reports(api_client, city, team):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            response = api_client.get(NEARBY, {"lat": NEAR[0], "lng": NEAR[1], "category": team.category.pk})
        assert response.status_code == 200
        return len(queries)

    join(report(category=team.category, photos=[jpeg()]))
    few = count()
    for i in range(6):
        join(report(category=team.category, at=(POINT_A1[0] + 0.00001 * i, POINT_A1[1]), photos=[jpeg()]))
    assert count() == few


# --- the public join API -------------------------------------------------------------------------------
def test_the_join_api_answers_the_joiner_s_code_and_is_idempotent(api_client, city, team):
    petition = report(category=team.category)
    body = {
        "petition": petition.pk,
        "latitude": NEAR[0],
        "longitude": NEAR[1],
        "phone": PHONE,
        "notify": True,
    }
    first = api_client.post(JOIN, body, format="json", HTTP_IDEMPOTENCY_KEY="abc")
    assert first.status_code == 201, first.json()
    code = first.json()["tracking_code"]
    assert PetitionJoin.objects.get().tracking_code == code and first.json()["joined"] is True
    assert PHONE not in first.content.decode()
    again = api_client.post(JOIN, body, format="json", HTTP_IDEMPOTENCY_KEY="abc")
    assert again.status_code == 200 and again.json()["tracking_code"] == code
    other = api_client.post(JOIN, {**body, "note": "x"}, format="json", HTTP_IDEMPOTENCY_KEY="abc")
    assert other.status_code == 422
    assert api_client.post(JOIN, {**body, "phone": ""}, format="json").status_code == 400
    assert api_client.post(JOIN, {"latitude": 1}, format="json").status_code == 400
    assert api_client.post(JOIN, {**body, "bogus": 1}, format="json").status_code == 400
    assert PetitionJoin.objects.count() == 1


def test_the_join_api_refuses_a_finished_report_with_409(api_client, city, people, team):
    petition = report(category=team.category)
    services.petition_reject(actor=people.worker, petition=petition, reason="不属实")
    body = {"tracking_code": petition.tracking_code}
    response = api_client.post(JOIN, body, format="json")
    assert response.status_code == 409 and response.json()["detail"]


# --- the public building search ----------------------------------------------------------------------
@pytest.fixture
def buildings(city):
    from residents.models import Building

    first = Building.objects.create(
        grid=city.grid_a1, number="3", address="光明路12号", latitude=NEAR[0], longitude=NEAR[1]
    )
    no_point = Building.objects.create(grid=city.grid_a2, number="5", address="光明路20号")
    return first, no_point


def test_the_building_search_answers_places_and_no_people(api_client, city, buildings):
    from tests.residents.factories import household, resident

    first, no_point = buildings
    home = household(city.grid_a1, building="3", unit="1", door="301")
    first.head = resident(home, name="李四", phone="13700002222")
    first.save()
    response = api_client.get(BUILDINGS, {"q": "光明路"})
    assert response.status_code == 200
    rows = response.json()
    assert [r["id"] for r in rows] == [first.pk, no_point.pk]
    assert rows[0]["latitude"] == NEAR[0] and rows[0]["exact"] is True
    assert rows[0]["grid"] == {"id": city.grid_a1.pk, "name": city.grid_a1.name}
    assert rows[0]["community"] == city.grid_a1.parent.name
    # A building without a point answers its grid's centre, and says so.
    assert rows[1]["exact"] is False and rows[1]["latitude"] == pytest.approx(city.grid_a2.centroid_lat)
    text = response.content.decode()
    for secret in ("李四", "13700002222", "301", "单元"):
        assert secret not in text
    assert set(rows[0]) == {
        "id",
        "number",
        "name",
        "address",
        "latitude",
        "longitude",
        "exact",
        "grid",
        "community",
    }
    # Every word must match: the number narrows the address down.
    assert [r["id"] for r in api_client.get(BUILDINGS, {"q": "光明路 3栋"}).json()] == [first.pk]
    assert api_client.get(BUILDINGS, {"q": "x"}).json() == []
    assert api_client.get(BUILDINGS).status_code == 400


def test_the_building_search_runs_one_query_however_many_buildings_match(api_client, city, buildings):
    from residents.models import Building

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert api_client.get(BUILDINGS, {"q": "光明路"}).status_code == 200
        return len(queries)

    few = count()
    Building.objects.bulk_create(
        [Building(grid=city.grid_a1, number=str(n), address=f"光明路{n}号") for n in range(10, 40)]
    )
    assert count() == few == 1


# --- the report page -------------------------------------------------------------------------------
def test_the_report_page_presets_the_grid_of_a_qr_code_and_starts_the_pin_at_its_centre(client, city, team):
    import json
    import re

    html = client.get(f"/petitions/report/?grid={city.grid_a2.pk}").content.decode()
    assert f'name="grid" id="id_grid" value="{city.grid_a2.pk}"' in html
    start = json.loads(re.search(r'id="report-start" type="application/json">(.*?)</script>', html).group(1))
    assert start["grid"] == city.grid_a2.pk and start["lat"] == pytest.approx(city.grid_a2.centroid_lat)
    grids = json.loads(re.search(r'id="report-grids" type="application/json">(.*?)</script>', html).group(1))
    assert {f["properties"]["name"] for f in grids["features"]} >= {city.grid_a1.name, city.grid_a2.name}
    # A community (not a grid) or junk is ignored.
    assert (
        'data-testid="preset-grid"'
        not in client.get(f"/petitions/report/?grid={city.community_a.pk}").content.decode()
    )
    assert client.get("/petitions/report/?grid=abc").status_code == 200
    # Sent with the grid alone (no point), the report lands in that grid.
    response = client.post(
        "/petitions/report/",
        {
            "description": "路灯不亮",
            "grid": city.grid_a2.pk,
            "reporter_phone": PHONE,
            "reporter_notify": "on",
        },
    )
    petition = Petition.objects.get()
    assert response.status_code == 302
    assert petition.grid == city.grid_a2 and petition.latitude is None and petition.reporter_notify is True


def test_the_sms_opt_in_without_a_phone_is_a_form_error_in_the_opened_contact_section(client, city, team):
    response = client.post(
        "/petitions/report/",
        {
            "description": "路灯不亮",
            "latitude": POINT_A1[0],
            "longitude": POINT_A1[1],
            "reporter_notify": "on",
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="report-notify-error"' in html
    assert '<details class="mb-3 hl-contact" open>' in html
    assert Petition.objects.count() == 0
    with pytest.raises(InvalidInput):
        report(reporter_notify=True)


def test_a_resident_joins_from_the_report_page_and_lands_on_their_own_tracking_page(client, city, team):
    petition = report(category=team.category)
    body = {"petition": petition.pk, "latitude": NEAR[0], "longitude": NEAR[1], "idempotency_key": "j1"}
    response = client.post("/petitions/report/join/", body)
    joined = PetitionJoin.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/petitions/track/{joined.tracking_code}/"
    assert client.post("/petitions/report/join/", body).status_code == 302  # a double tap
    assert PetitionJoin.objects.count() == 1
    refused = client.post("/petitions/report/join/", {**body, "idempotency_key": "j2", "notify": "on"})
    assert refused.status_code == 400 and 'data-testid="join-form"' in refused.content.decode()
    far = client.post(
        "/petitions/report/join/", {**body, "idempotency_key": "j3", "latitude": POINT_A1[0] + 0.01}
    )
    assert far.status_code == 400 and 'data-testid="join-errors"' in far.content.decode()
    assert PetitionJoin.objects.count() == 1


def test_the_public_api_takes_the_grid_of_a_building_without_a_point_and_the_sms_opt_in(
    api_client, city, team
):
    centre = (city.grid_a2.centroid_lat, city.grid_a2.centroid_lng)
    body = {"description": "路灯不亮", "latitude": centre[0], "longitude": centre[1], "grid": city.grid_a2.pk}
    refused = api_client.post("/api/v1/public/petitions/", {**body, "reporter_notify": True}, format="json")
    assert refused.status_code == 400 and "reporter_notify" in refused.json()["errors"]
    assert Petition.objects.count() == 0
    answer = api_client.post(
        "/api/v1/public/petitions/", {**body, "reporter_notify": True, "reporter_phone": PHONE}, format="json"
    )
    assert answer.status_code == 201 and answer.json()["grid"]["id"] == city.grid_a2.pk
    assert Petition.objects.get().reporter_notify is True
