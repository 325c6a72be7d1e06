import datetime

import pytest
from django.db import connection
from django.utils import timezone

from residents.models import AccessLog, Resident, Visit
from tests.residents import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def homes(city):
    return factories.household(city.grid_a1), factories.household(city.grid_b1)


def results(response):
    assert response.status_code == 200, response.content
    return response.json()["results"]


def test_a_worker_registers_a_resident_and_lists_see_only_masked_values(api_client, people, homes):
    own, _ = homes
    api_client.force_authenticate(people.worker)
    number = factories.id_number(datetime.date(1958, 7, 1))
    response = api_client.post(
        "/api/v1/residents/",
        {"household": own.pk, "name": "赵六", "id_number": number, "phone": "13912345678"},
        format="json",
    )
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["id_number"] == number[:6] + "********" + number[-4:]
    assert created["phone"] == "139****5678"
    assert created["birth_date"] == "1958-07-01" and created["sex"] == "M"
    listed = results(api_client.get("/api/v1/residents/"))
    detail = api_client.get(f"/api/v1/residents/{created['id']}/").json()
    for row in [*listed, detail]:
        assert number not in str(row) and "13912345678" not in str(row)
    assert AccessLog.objects.count() == 0


def test_a_bad_id_number_is_a_400_on_the_field_and_writes_nothing(api_client, people, homes):
    own, _ = homes
    api_client.force_authenticate(people.worker)
    good = factories.id_number()
    bad_check = good[:17] + ("0" if good[17] != "0" else "1")
    for number in (bad_check, "222406198002310011"):
        response = api_client.post(
            "/api/v1/residents/", {"household": own.pk, "name": "错号", "id_number": number}, format="json"
        )
        assert response.status_code == 400
        assert list(response.json()["errors"]) == ["id_number"]
    assert Resident.objects.count() == 0


def test_one_reveal_writes_exactly_one_access_log_row(api_client, people, homes):
    own, _ = homes
    person = factories.resident(own, phone="13700001111", health="高血压")
    api_client.force_authenticate(people.worker)
    response = api_client.post(
        f"/api/v1/residents/{person.pk}/reveal/",
        {},
        format="json",
        REMOTE_ADDR="192.0.2.7",
        HTTP_USER_AGENT="UA",
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["id_number"], body["phone"], body["health"]) == (person.id_number, "13700001111", "高血压")
    row = AccessLog.objects.get()
    assert (row.actor, row.subject_type, row.subject_id, row.field, row.ip) == (
        people.worker,
        "residents.Resident",
        str(person.pk),
        "id_number,phone,health",
        "192.0.2.7",
    )
    api_client.post(f"/api/v1/residents/{person.pk}/reveal/", {"fields": ["phone"]}, format="json")
    assert AccessLog.objects.count() == 2
    assert AccessLog.objects.order_by("-id").first().field == "phone"


def test_a_worker_cannot_show_list_or_fetch_a_resident_of_another_grid(api_client, people, homes):
    _, other = homes
    stranger = factories.resident(other)
    api_client.force_authenticate(people.worker)
    assert api_client.get(f"/api/v1/residents/{stranger.pk}/").status_code == 404
    assert api_client.post(f"/api/v1/residents/{stranger.pk}/reveal/", {}, format="json").status_code == 404
    assert stranger.pk not in {r["id"] for r in results(api_client.get("/api/v1/residents/"))}
    assert results(api_client.get("/api/v1/residents/", {"household": other.pk})) == []
    assert AccessLog.objects.count() == 0
    # The outsider (worker of B-1) sees it; department staff and assessors never see residents.
    api_client.force_authenticate(people.outsider)
    assert api_client.get(f"/api/v1/residents/{stranger.pk}/").status_code == 200
    api_client.force_authenticate(people.assessor)
    assert api_client.get(f"/api/v1/residents/{stranger.pk}/").status_code == 404


def test_a_worker_cannot_register_into_a_household_of_another_grid(api_client, people, homes):
    _, other = homes
    api_client.force_authenticate(people.worker)
    response = api_client.post(
        "/api/v1/residents/",
        {"household": other.pk, "name": "外人", "id_number": factories.id_number()},
        format="json",
    )
    assert response.status_code == 400 and "household" in response.json()["errors"]
    assert Resident.objects.count() == 0


def test_filters_and_cursor_pagination(api_client, people, homes):
    own, _ = homes
    for i in range(5):
        factories.resident(own, name=f"孙{i}")
    api_client.force_authenticate(people.worker)
    first = api_client.get("/api/v1/residents/", {"page_size": 2}).json()
    assert len(first["results"]) == 2 and "cursor=" in first["next"]
    second = api_client.get(first["next"]).json()
    assert {r["id"] for r in first["results"]}.isdisjoint({r["id"] for r in second["results"]})
    assert [r["name"] for r in results(api_client.get("/api/v1/residents/", {"name": "孙3"}))] == ["孙3"]
    person = Resident.objects.get(name="孙4")
    by_number = results(api_client.get("/api/v1/residents/", {"id_number": person.id_number.lower()}))
    assert [r["id"] for r in by_number] == [person.pk]


def test_places_are_created_and_listed_within_scope(api_client, people, city):
    api_client.force_authenticate(people.worker)
    building = api_client.post("/api/v1/buildings/", {"grid": city.grid_a1.pk, "number": "7"}, format="json")
    assert building.status_code == 201, building.content
    unit = api_client.post(
        "/api/v1/units/",
        {"building": building.json()["id"], "number": "1", "wechat_group_url": "https://weixin.qq.com/g/abc"},
        format="json",
    )
    assert unit.status_code == 201, unit.content
    household = api_client.post(
        "/api/v1/households/", {"unit": unit.json()["id"], "door": "502"}, format="json"
    )
    assert household.status_code == 201 and household.json()["label"] == "7栋1单元502"
    assert (
        api_client.post(
            "/api/v1/buildings/", {"grid": city.grid_b1.pk, "number": "1"}, format="json"
        ).status_code
        == 400
    )
    assert [b["number"] for b in results(api_client.get("/api/v1/buildings/"))] == ["7"]
    assert len(results(api_client.get("/api/v1/units/", {"building": building.json()["id"]}))) == 1
    assert len(results(api_client.get("/api/v1/households/", {"grid": city.grid_a1.pk}))) == 1


def test_logging_a_visit_through_the_api_turns_the_light_green(api_client, people, homes):
    own, _ = homes
    person, membership = factories.key_person(own, group_name="重病患者", since=datetime.date(2020, 1, 1))
    api_client.force_authenticate(people.worker)
    before = api_client.get(f"/api/v1/key-memberships/{membership.pk}/").json()
    assert before["light"] == "RED"
    assert [m["id"] for m in results(api_client.get("/api/v1/key-memberships/", {"light": "RED"}))] == [
        membership.pk
    ]
    response = api_client.post(
        "/api/v1/visits/",
        {
            "household": own.pk,
            "kind": "KEY_PERSON",
            "people_seen": [person.pk],
            "latitude": 42.505,
            "longitude": 129.01,
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["people_seen"] == [person.pk] and response.json()["worker"] == people.worker.pk
    assert api_client.get(f"/api/v1/key-memberships/{membership.pk}/").json()["light"] == "GREEN"
    assert results(api_client.get("/api/v1/visits/", {"household": own.pk}))[0]["id"] == response.json()["id"]


def test_a_visit_far_outside_the_grid_is_refused_with_a_clear_message(api_client, people, homes):
    own, _ = homes
    api_client.force_authenticate(people.worker)
    response = api_client.post(
        "/api/v1/visits/", {"household": own.pk, "latitude": 42.505, "longitude": 129.035}, format="json"
    )  # inside the neighbouring street, about 1.2 km east of grid A-1
    assert response.status_code == 400
    assert "location" in response.json()["errors"]
    assert "1.2" in response.json()["errors"]["location"][0]  # the distance in km, whatever the language
    assert Visit.objects.count() == 0
    near = api_client.post(
        "/api/v1/visits/", {"household": own.pk, "latitude": 42.505, "longitude": 129.0215}, format="json"
    )  # ~120 m beyond the edge: GPS error is tolerated
    assert near.status_code == 201


def test_coverage_by_grid(api_client, people, homes):
    own, other = homes
    factories.household(own.grid, door="102")
    today = timezone.localdate()
    api_client.force_authenticate(people.worker)
    api_client.post("/api/v1/visits/", {"household": own.pk}, format="json")
    api_client.force_authenticate(people.official)
    node = own.grid.parent.parent  # street A
    response = api_client.get(
        "/api/v1/coverage/", {"node": node.pk, "start": today - datetime.timedelta(days=30), "end": today}
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["total"]["households"] == 2 and body["total"]["households_visited"] == 1
    grid_b = other.grid
    assert (
        api_client.get("/api/v1/coverage/", {"node": grid_b.pk, "start": today, "end": today}).status_code
        == 404
    )


def test_the_tables_never_hold_a_plaintext_id_number(api_client, people, homes):
    own, _ = homes
    api_client.force_authenticate(people.worker)
    number = factories.id_number()
    api_client.post(
        "/api/v1/residents/", {"household": own.pk, "name": "钱七", "id_number": number}, format="json"
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number, id_number_hash FROM residents_resident")
        assert all(number not in value for row in cursor.fetchall() for value in row)


def test_the_building_and_unit_heads_are_set_through_the_api(api_client, people, homes):
    own, other = homes
    person = factories.resident(own, name="楼长老李")
    stranger = factories.resident(other)
    building, unit = own.unit.building, own.unit
    api_client.force_authenticate(people.worker)
    response = api_client.post(f"/api/v1/buildings/{building.pk}/head/", {"head": person.pk}, format="json")
    assert response.status_code == 200 and response.json()["head_name"] == "楼长老李"
    response = api_client.post(f"/api/v1/units/{unit.pk}/head/", {"head": person.pk}, format="json")
    assert response.status_code == 200 and response.json()["head"] == person.pk
    refused = api_client.post(f"/api/v1/units/{unit.pk}/head/", {"head": stranger.pk}, format="json")
    assert refused.status_code == 400 and "head" in refused.json()["errors"]
    cleared = api_client.post(f"/api/v1/buildings/{building.pk}/head/", {"head": None}, format="json")
    assert cleared.status_code == 200 and cleared.json()["head"] is None
    other_building = other.unit.building
    assert (
        api_client.post(
            f"/api/v1/buildings/{other_building.pk}/head/", {"head": None}, format="json"
        ).status_code
        == 404
    )
