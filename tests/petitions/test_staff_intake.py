"""Staff intake from every source (hotline, window, walk-in, visit) through the service and
`POST /api/v1/petitions/`: routing by building, point or grid, the same clocks as a resident's
report, the caller's phone kept encrypted, the policy's 404/403, idempotency per user."""

import hashlib
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from grids.access import SYSTEM
from hlgrid.crypto import lookup_hash
from hlgrid.errors import Forbidden, InvalidInput, NotFound
from petitions import services
from petitions.models import IdempotencyKey, Petition, PetitionEvent, Source, Status
from tests.petitions.factories import POINT_A1, POINT_B1, jpeg
from tests.residents.factories import household

pytestmark = pytest.mark.django_db
API = "/api/v1/petitions/"


def take_in(actor, *, key=None, **fields):
    """The staff use case as the page and the API call it."""
    fields.setdefault("description", "来电反映小区门口垃圾桶满了")
    fields.setdefault("source", Source.HOTLINE)
    _code, answer, _created = services.petition_intake_submit(
        actor=actor,
        idempotency_key=key,
        fingerprint=hashlib.sha256(repr(sorted(fields.items(), key=str)).encode()).hexdigest(),
        render=lambda p: {"id": p.pk},
        **fields,
    )
    return Petition.objects.get(pk=answer["id"])


@pytest.fixture
def building_a1(city):
    return household(city.grid_a1, building="3").unit.building


@pytest.fixture
def building_b1(city):
    return household(city.grid_b1, building="7").unit.building


@pytest.mark.parametrize("source", [Source.HOTLINE, Source.WINDOW, Source.WALK_IN, Source.VISIT])
def test_each_staff_source_enters_the_five_steps_with_the_verify_clock(city, people, team, source):
    now = timezone.now()
    petition = take_in(people.worker, source=source, latitude=POINT_A1[0], longitude=POINT_A1[1], now=now)
    assert petition.source == source
    assert petition.grid == city.grid_a1
    assert petition.status == Status.RECEIVED and petition.step == "VERIFY"
    # The suggested category (垃圾) gives its own verify limit, as for a resident's report.
    assert petition.category == team.category
    assert petition.due_at == now + timedelta(hours=team.category.verify_hours)
    assert petition.created_by == people.worker
    assert PetitionEvent.objects.get(petition=petition).action == "intake"


def test_a_resident_or_partner_source_is_not_a_staff_source(city, people, team):
    for source in (Source.RESIDENT, Source.PARTNER, "FAX"):
        with pytest.raises(InvalidInput) as refused:
            take_in(people.worker, source=source, latitude=POINT_A1[0], longitude=POINT_A1[1])
        assert "source" in refused.value.errors
    assert Petition.objects.count() == 0


def test_a_building_of_the_register_gives_its_grid_and_its_name_as_address(city, people, team, building_a1):
    petition = take_in(people.gridhead, source=Source.WINDOW, building_id=building_a1.pk, address="2单元")
    assert petition.grid == city.grid_a1
    assert petition.address.startswith(city.grid_a1.name) and petition.address.endswith("2单元")
    assert str(building_a1) in petition.address


def test_a_grid_with_an_address_is_a_location_and_the_grid_needs_the_address(city, people, team):
    petition = take_in(people.worker, grid_id=city.grid_a1.pk, address="幸福路12号")
    assert petition.grid == city.grid_a1 and petition.address == "幸福路12号"
    with pytest.raises(InvalidInput) as refused:
        take_in(people.worker, grid_id=city.grid_a1.pk)
    assert "address" in refused.value.errors


def test_a_location_given_two_ways_or_not_at_all_is_refused_and_nothing_is_created(
    city, people, team, building_a1
):
    for location in (
        {"building_id": building_a1.pk, "latitude": POINT_A1[0], "longitude": POINT_A1[1]},
        {"grid_id": city.grid_a1.pk, "address": "x", "latitude": POINT_A1[0], "longitude": POINT_A1[1]},
        {"latitude": POINT_A1[0]},
        {},
    ):
        with pytest.raises(InvalidInput) as refused:
            take_in(people.worker, **location)
        assert "location" in refused.value.errors, location
    assert Petition.objects.count() == 0 and PetitionEvent.objects.count() == 0


def test_the_callers_phone_is_encrypted_masked_and_hashed_and_the_sms_tick_needs_it(city, people, team):
    petition = take_in(
        people.worker,
        latitude=POINT_A1[0],
        longitude=POINT_A1[1],
        reporter_name="李四",
        reporter_phone="138-1234-5678",
        reporter_notify=True,
    )
    assert petition.reporter_phone == "13812345678"
    assert petition.reporter_phone_hint == "138****5678"
    assert petition.reporter_phone_hash == lookup_hash("13812345678")
    assert petition.reporter_notify is True
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT reporter_phone, reporter_name FROM petitions_petition WHERE id = %s", [petition.pk]
        )
        stored_phone, stored_name = cursor.fetchone()
    assert "13812345678" not in stored_phone and "李四" not in stored_name
    with pytest.raises(InvalidInput) as refused:
        take_in(people.worker, latitude=POINT_A1[0], longitude=POINT_A1[1], reporter_notify=True)
    assert "reporter_notify" in refused.value.errors
    with pytest.raises(InvalidInput) as refused:
        take_in(people.worker, latitude=POINT_A1[0], longitude=POINT_A1[1], reporter_phone="12345")
    assert "reporter_phone" in refused.value.errors
    assert Petition.objects.count() == 1


def test_an_outsider_gets_404_for_a_point_a_grid_or_a_building_outside_its_scope(
    city, people, team, building_a1
):
    for location in (
        {"latitude": POINT_A1[0], "longitude": POINT_A1[1]},
        {"grid_id": city.grid_a1.pk, "address": "幸福路"},
        {"building_id": building_a1.pk},
        {"building_id": 987654},
        {"grid_id": 987654, "address": "幸福路"},
        {"building_id": 2**70},
        {"grid_id": 2**70, "address": "幸福路"},
    ):
        with pytest.raises(NotFound):
            take_in(people.outsider, **location)
    assert Petition.objects.count() == 0


def test_department_staff_and_assessors_may_not_take_in_403(city, people, team, building_a1):
    for actor in (team.dept, people.assessor):
        with pytest.raises(Forbidden):
            take_in(actor, latitude=POINT_A1[0], longitude=POINT_A1[1])
        with pytest.raises(Forbidden):
            take_in(actor, building_id=building_a1.pk)
    with pytest.raises(NotFound):
        take_in(None, latitude=POINT_A1[0], longitude=POINT_A1[1])
    assert Petition.objects.count() == 0


def test_a_community_head_and_a_street_official_take_in_for_every_grid_below(city, people, team):
    assert take_in(team.community_head, grid_id=city.grid_a2.pk, address="x").grid == city.grid_a2
    assert take_in(people.official, latitude=POINT_A1[0], longitude=POINT_A1[1]).grid == city.grid_a1
    with pytest.raises(NotFound):
        take_in(people.official, latitude=POINT_B1[0], longitude=POINT_B1[1])


def test_the_same_key_and_body_answers_once_and_another_body_is_422(city, people, team):
    first = take_in(people.worker, key="k-1", latitude=POINT_A1[0], longitude=POINT_A1[1])
    again = take_in(people.worker, key="k-1", latitude=POINT_A1[0], longitude=POINT_A1[1])
    assert again.pk == first.pk and Petition.objects.count() == 1
    with pytest.raises(services.intake.IdempotencyConflict) as conflict:
        take_in(people.worker, key="k-1", latitude=POINT_A1[0], longitude=POINT_A1[1], description="别的事")
    assert conflict.value.status_code == 422
    assert Petition.objects.count() == 1


def test_two_users_with_the_same_key_do_not_meet(city, people, team):
    mine = take_in(people.worker, key="shared", latitude=POINT_A1[0], longitude=POINT_A1[1])
    theirs = take_in(team.worker2, key="shared", latitude=POINT_A1[0], longitude=POINT_A1[1])
    assert mine.pk != theirs.pk
    stored = set(IdempotencyKey.objects.values_list("key", flat=True))
    assert "shared" not in stored and len(stored) == 2  # namespaced per user, never the raw key


def test_bad_input_with_a_key_keeps_the_key_free_for_the_corrected_retry(city, people, team):
    with pytest.raises(InvalidInput):
        take_in(people.worker, key="k-2", description="", latitude=POINT_A1[0], longitude=POINT_A1[1])
    assert IdempotencyKey.objects.count() == 0
    assert take_in(people.worker, key="k-2", latitude=POINT_A1[0], longitude=POINT_A1[1]).pk


# --- the API ----------------------------------------------------------------------------------


def post(api_client, user, *, key=None, fmt="json", **data):
    api_client.force_authenticate(user)
    body = {"source": "HOTLINE", "description": "来电反映小区门口垃圾桶满了", **data}
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    return api_client.post(API, body, format=fmt, **headers)


def test_the_api_takes_a_call_in_with_the_public_answer_shape(api_client, city, people, team):
    response = post(
        api_client,
        people.worker,
        latitude=POINT_A1[0],
        longitude=POINT_A1[1],
        reporter_phone="13812345678",
        reporter_name="王五",
        reporter_notify=True,
    )
    assert response.status_code == 201, response.json()
    answer = response.json()
    assert answer["grid"]["id"] == city.grid_a1.pk
    assert answer["status"] == Status.RECEIVED and answer["light"] == "GREEN"
    assert answer["source"] == "HOTLINE" and len(answer["tracking_code"]) == 10
    assert answer["reporter_phone"] == "138****5678" and "13812345678" not in response.content.decode()
    assert answer["reporter_name"] != "王五"
    assert Petition.objects.get().reporter_notify is True


def test_the_api_takes_a_window_visit_in_with_photos_and_a_building_as_multipart(
    api_client, city, people, team, building_a1
):
    response = post(
        api_client,
        people.worker,
        fmt="multipart",
        source="WINDOW",
        building=building_a1.pk,
        photos=[jpeg()],
    )
    assert response.status_code == 201, response.json()
    petition = Petition.objects.get()
    assert petition.grid == city.grid_a1 and petition.attachments.count() == 1


def test_the_api_refuses_bad_input_with_the_field_and_creates_nothing(api_client, city, people, team):
    cases = [
        ({"source": "RESIDENT", "latitude": POINT_A1[0], "longitude": POINT_A1[1]}, "source"),
        ({"description": "", "latitude": POINT_A1[0], "longitude": POINT_A1[1]}, "description"),
        ({"latitude": POINT_A1[0], "longitude": POINT_A1[1], "reporter_notify": True}, "reporter_notify"),
        ({"latitude": 10.0, "longitude": 10.0}, "location"),
        ({"grid": city.grid_a1.pk}, "address"),
        ({"buiding": 3, "latitude": POINT_A1[0], "longitude": POINT_A1[1]}, "buiding"),
    ]
    for data, field in cases:
        response = post(api_client, people.worker, **data)
        assert response.status_code == 400, (data, response.json())
        assert field in response.json()["errors"], (data, response.json())
    assert Petition.objects.count() == 0


def test_the_api_answers_404_to_an_outsider_and_403_to_department_staff_and_assessors(
    api_client, city, people, team, building_a1
):
    assert post(api_client, people.outsider, latitude=POINT_A1[0], longitude=POINT_A1[1]).status_code == 404
    assert post(api_client, people.outsider, building=building_a1.pk).status_code == 404
    assert post(api_client, team.dept, latitude=POINT_A1[0], longitude=POINT_A1[1]).status_code == 403
    assert post(api_client, people.assessor, building=building_a1.pk).status_code == 403
    api_client.force_authenticate(None)
    assert api_client.post(API, {"source": "HOTLINE"}, format="json").status_code in (401, 403)
    assert Petition.objects.count() == 0


def test_the_api_idempotency_key_same_body_first_answer_other_body_422_per_user(
    api_client, city, people, team
):
    point = {"latitude": POINT_A1[0], "longitude": POINT_A1[1]}
    first = post(api_client, people.worker, key="call-42", **point)
    second = post(api_client, people.worker, key="call-42", **point)
    assert first.status_code == second.status_code == 201
    assert second.json() == first.json() and Petition.objects.count() == 1
    other = post(api_client, people.worker, key="call-42", description="另一通电话", **point)
    assert other.status_code == 422 and "Idempotency-Key" in other.json()["detail"]
    colleague = post(api_client, team.worker2, key="call-42", **point)
    assert colleague.status_code == 201 and colleague.json()["id"] != first.json()["id"]
    assert Petition.objects.count() == 2


def test_a_system_actor_takes_in_anywhere(city, people, team):
    assert take_in(SYSTEM, latitude=POINT_B1[0], longitude=POINT_B1[1]).grid == city.grid_b1
