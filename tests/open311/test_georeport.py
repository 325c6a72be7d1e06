"""The GeoReport v2 endpoints against the specification's own examples, field by field, and
their rules: filters, the status mapping, bad keys and bad input that change nothing."""

import json
import re
import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from grids.access import SYSTEM
from open311 import api, selectors, services
from open311.models import Open311Submission
from petitions.models import Level, Petition, Source, Status
from tests.open311 import spec_examples as spec
from tests.open311.conftest import tags, xml_of
from tests.petitions.factories import POINT_A1, POINT_B1, report

pytestmark = pytest.mark.django_db

W3C = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d)$")
BASE = "/open311/v2"


def post(client, o311, fmt="json", language="zh-hans", **fields):
    data = {
        "api_key": o311.key,
        "service_code": "SR01",
        "lat": str(POINT_A1[0]),
        "long": str(POINT_A1[1]),
        "description": "楼下垃圾桶满了",
        **fields,
    }
    return client.post(f"{BASE}/requests.{fmt}", data, HTTP_ACCEPT_LANGUAGE=language)


def spec_keys(example: str) -> set[str]:
    parsed = spec.spec_json(example)
    first = parsed[0] if isinstance(parsed, list) else parsed
    return set(first)


# --- discovery and services -------------------------------------------------------------------------
def test_discovery_has_the_keys_and_elements_of_the_spec_example(client, o311):
    answer = client.get("/open311/discovery.json")
    assert answer.status_code == 200
    assert answer["Content-Type"] == "application/json; charset=utf-8"
    document = answer.json()
    example = spec.spec_json(spec.DISCOVERY_JSON)
    assert set(document) == set(example)
    assert set(document["endpoints"][0]) == set(example["endpoints"][0])
    endpoint = document["endpoints"][0]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"] == "http://testserver/open311/v2"
    assert endpoint["type"] in ("production", "test")
    assert endpoint["formats"] == ["text/xml", "application/json"]
    assert W3C.match(document["changeset"])

    ours = xml_of(client.get("/open311/discovery.xml"))
    theirs = ET.fromstring(spec.DISCOVERY_XML.encode())
    assert ours.tag == theirs.tag == "discovery"
    assert tags(ours) == tags(theirs)
    assert tags(ours.find("endpoints")) == ["endpoint"]
    assert tags(ours.find("endpoints/endpoint")) == tags(theirs.find("endpoints/endpoint"))
    assert [f.text for f in ours.find("endpoints/endpoint/formats")] == ["text/xml", "application/json"]


def test_the_changeset_moves_when_the_service_list_changes_and_only_then(client, o311):
    first = client.get("/open311/discovery.json").json()["changeset"]
    assert client.get("/open311/discovery.json").json()["changeset"] == first
    later = timezone.now() + timedelta(hours=1)
    assert selectors.w3c(services.open311_catalogue_refresh(actor=SYSTEM, now=later)) == first
    o311.road.name = "道路坑洼"
    o311.road.save()
    assert selectors.w3c(services.open311_catalogue_refresh(actor=SYSTEM, now=later)) == selectors.w3c(later)
    assert client.get("/open311/discovery.json").json()["changeset"] == selectors.w3c(later)


def test_the_service_list_matches_the_spec_example_field_by_field(client, o311):
    answer = client.get(f"{BASE}/services.json")
    assert answer.status_code == 200
    listed = answer.json()
    assert [s["service_code"] for s in listed] == ["RD01", "SR01"]  # active leaves only
    for service in listed:
        assert set(service) == spec_keys(spec.SERVICES_JSON)
        assert isinstance(service["metadata"], bool)
        assert service["type"] == "realtime"
    garbage = listed[1]
    assert garbage["service_name"] == "垃圾清运"
    assert garbage["group"] == "市容环境"
    assert garbage["keywords"] == "垃圾, 清运, 垃圾桶"
    assert "城管局" in garbage["description"]
    assert garbage["metadata"] is False

    ours = xml_of(client.get(f"{BASE}/services.xml"))
    theirs = ET.fromstring(spec.SERVICES_XML.encode())
    assert ours.tag == theirs.tag == "services"
    assert set(tags(ours)) == {"service"}
    for service in ours:
        assert set(tags(service)) == set(tags(theirs[0]))
    assert ours[1].find("metadata").text == "false"
    assert ours[1].find("service_name").text == "垃圾清运"


def test_a_retired_category_is_no_service(client, o311):
    o311.road.is_active = False
    o311.road.save()
    assert [s["service_code"] for s in client.get(f"{BASE}/services.json").json()] == ["SR01"]
    answer = client.get(f"{BASE}/services/RD01.json", HTTP_ACCEPT_LANGUAGE="en")
    assert answer.status_code == 404
    assert answer.json() == [{"code": 404, "description": "service_code RD01 was not found."}]


def test_the_service_definition_has_the_spec_shape_and_no_attributes(client, o311):
    answer = client.get(f"{BASE}/services/SR01.json")
    assert answer.status_code == 200
    assert set(answer.json()) == set(spec.spec_json(spec.SERVICE_DEFINITION_JSON))
    assert answer.json() == {"service_code": "SR01", "attributes": []}
    ours = xml_of(client.get(f"{BASE}/services/SR01.xml"))
    theirs = ET.fromstring(spec.SERVICE_DEFINITION_XML.encode())
    assert ours.tag == theirs.tag == "service_definition"
    assert tags(ours) == tags(theirs)
    assert list(ours.find("attributes")) == []


# --- POST requests ----------------------------------------------------------------------------------
def test_a_posted_request_answers_like_the_spec_example_and_becomes_a_residents_petition(client, city, o311):
    answer = post(
        client,
        o311,
        phone="138-1234-5678",
        first_name="三",
        last_name="张",
        email="z3@example.org",
        account_id="u-42",
        media_url="https://img.example.org/1.jpg",
        address_string="幸福小区3号楼",
    )
    assert answer.status_code == 201, answer.content
    assert answer["Content-Type"] == "application/json; charset=utf-8"
    [created] = answer.json()
    assert set(created) == spec_keys(spec.POST_REQUEST_JSON)
    petition = Petition.objects.get(pk=created["service_request_id"])
    assert isinstance(created["service_request_id"], int)
    assert created["account_id"] == "u-42"
    assert petition.tracking_code in created["service_notice"]
    assert f"/petitions/track/{petition.tracking_code}/" in created["service_notice"]
    assert petition.source == Source.RESIDENT
    assert petition.status == Status.RECEIVED
    assert petition.grid == city.grid_a1  # routed by its position, like a web report
    assert petition.category == o311.garbage and petition.department == o311.department
    assert petition.address == "幸福小区3号楼"
    assert petition.reporter_name == "张三"
    assert petition.reporter_phone == "13812345678"
    assert petition.reporter_phone_hint != "13812345678"
    with connection.cursor() as cursor:
        cursor.execute("SELECT reporter_phone FROM petitions_petition WHERE id = %s", [petition.pk])
        assert "13812345678" not in cursor.fetchone()[0]
        cursor.execute("SELECT email FROM open311_open311submission WHERE petition_id = %s", [petition.pk])
        assert "z3@example.org" not in cursor.fetchone()[0]
    submission = Open311Submission.objects.get(petition=petition)
    assert submission.client == o311.client and submission.email == "z3@example.org"
    o311.client.refresh_from_db()
    assert o311.client.last_used_at is not None


def test_the_xml_answer_to_a_post_has_the_spec_elements(client, o311):
    ours = xml_of(post(client, o311, fmt="xml"))
    theirs = ET.fromstring(spec.POST_REQUEST_XML.encode())
    assert ours.tag == theirs.tag == "service_requests"
    assert tags(ours) == ["request"]
    assert tags(ours[0]) == tags(theirs[0])
    assert ours[0].find("account_id").text is None  # <account_id/>, as in the example
    assert ours[0].find("service_request_id").text.isdigit()


def test_the_spec_example_body_is_understood(client, o311):
    body = spec.POST_REQUEST_BODY.replace("api_key=xyz", f"api_key={o311.key}")
    body = body.replace("service_code=001", "service_code=SR01")
    body = body.replace("lat=37.76524078&long=-122.4212043", f"lat={POINT_A1[0]}&long={POINT_A1[1]}")
    body = body.replace("phone=111111111", "phone=13900001111")
    answer = client.post(f"{BASE}/requests.json", body, content_type="application/x-www-form-urlencoded")
    assert answer.status_code == 201, answer.content
    petition = Petition.objects.get(pk=answer.json()[0]["service_request_id"])
    assert petition.description == "A large sinkhole is destroying the street"
    assert petition.reporter_name == "john smith"
    assert petition.address == "1234 5th street"
    assert petition.open311_submission.media_url.startswith("http://farm3.static.flickr.com/")


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_a_bad_key_is_the_spec_403_and_creates_nothing(client, o311, fmt):
    for key in ("", "xyz", o311.key + "x"):
        answer = post(client, o311, fmt=fmt, api_key=key, language="en")
        assert answer.status_code == 403
        if fmt == "json":
            assert set(answer.json()[0]) == spec_keys(spec.ERRORS_JSON)
            assert answer.json() == spec.spec_json(spec.ERRORS_JSON)
        else:
            ours, theirs = xml_of(answer), ET.fromstring(spec.ERRORS_XML.encode())
            assert ours.tag == "errors" and tags(ours) == tags(theirs)
            assert tags(ours[0]) == tags(theirs[0])
            assert ours[0].find("code").text == "403"
            assert ours[0].find("description").text == theirs[0].find("description").text
    assert not Petition.objects.exists()


def test_a_revoked_key_is_refused(client, o311):
    services.open311_client_set_active(actor=o311.admin, client_id=o311.client.pk, active=False)
    assert post(client, o311).status_code == 403
    services.open311_client_set_active(actor=o311.admin, client_id=o311.client.pk, active=True)
    assert post(client, o311).status_code == 201


@pytest.mark.parametrize(
    ("fields", "status", "mentions"),
    [
        ({"service_code": ""}, 400, "service_code"),
        ({"service_code": "NOPE"}, 404, "NOPE"),
        ({"service_code": "SR\x0001"}, 404, "SR"),
        ({"lat": "", "long": ""}, 400, "lat"),
        ({"lat": "north"}, 400, "lat"),
        ({"lat": "nan"}, 400, "lat"),
        ({"lat": "10", "long": "10"}, 400, "lat"),  # outside the service area
        ({"phone": "12345"}, 400, "phone"),
        ({"email": "not-an-address"}, 400, "email"),
        ({"media_url": "javascript:alert(1)"}, 400, "media_url"),
        ({"description": "长" * 2001}, 400, "description"),
    ],
)
def test_bad_input_is_the_spec_error_list_and_changes_nothing(client, o311, fields, status, mentions):
    answer = post(client, o311, **fields)
    assert answer.status_code == status
    errors = answer.json()
    assert errors and all(set(e) == {"code", "description"} and e["code"] == status for e in errors)
    assert mentions in " ".join(e["description"] for e in errors)
    assert not Petition.objects.exists()
    assert not Open311Submission.objects.exists()
    o311.client.refresh_from_db()
    assert o311.client.last_used_at is None


def test_control_characters_are_dropped_from_a_posted_request(client, o311):
    assert post(client, o311, description="井盖\x00丢失", address_string="\x1f路口").status_code == 201
    petition = Petition.objects.get()
    assert (petition.description, petition.address) == ("井盖丢失", "路口")


def test_a_request_without_description_is_described_by_its_service(client, o311):
    answer = post(client, o311, description="")
    assert answer.status_code == 201
    assert Petition.objects.get().description == "垃圾清运"


# --- GET requests -----------------------------------------------------------------------------------
def test_requests_match_the_spec_example_field_by_field(client, o311):
    created = post(
        client, o311, phone="13812345678", first_name="三", last_name="张", address_string="幸福小区"
    )
    pk = created.json()[0]["service_request_id"]
    answer = client.get(f"{BASE}/requests.json")
    assert answer.status_code == 200
    [row] = answer.json()
    example = spec.spec_json(spec.REQUESTS_JSON)[0]
    assert list(row) == list(example)  # the same keys, in the spec's order
    assert row["service_request_id"] == pk
    assert row["status"] == "open"
    assert row["status_notes"] == "已受理，待核实"
    assert row["service_code"] == "SR01" and row["service_name"] == "垃圾清运"
    assert row["description"] == "楼下垃圾桶满了"
    assert row["agency_responsible"] == "城管局"
    assert row["address"] == "幸福小区"
    for name in ("requested_datetime", "updated_datetime"):
        assert W3C.match(row[name]) and row[name].endswith("+08:00")
    assert row["expected_datetime"] is None  # not classified yet: no handling deadline
    assert isinstance(row["lat"], float) and isinstance(row["long"], float)
    assert row["lat"] == round(POINT_A1[0], 3) and row["long"] == round(POINT_A1[1], 3)
    text = answer.content.decode()
    for personal in ("13812345678", "张三", "5678"):
        assert personal not in text

    ours = xml_of(client.get(f"{BASE}/requests.xml"))
    theirs = ET.fromstring(spec.REQUESTS_XML.encode())
    assert ours.tag == theirs.tag == "service_requests"
    assert tags(ours) == ["request"]
    assert tags(ours[0]) == tags(theirs[0])  # the same elements, in the same order
    assert ours[0].find("status_notes").text == "已受理，待核实"
    assert ours[0].find("expected_datetime").text is None
    assert W3C.match(ours[0].find("requested_datetime").text)

    one = client.get(f"{BASE}/requests/{pk}.json")
    assert one.status_code == 200 and one.json() == [row]
    assert tags(xml_of(client.get(f"{BASE}/requests/{pk}.xml"))[0]) == tags(theirs[0])


def test_the_handling_deadline_is_the_expected_datetime(client, o311):
    petition = report(category=o311.garbage)
    due = timezone.now() + timedelta(days=2)
    Petition.objects.filter(pk=petition.pk).update(handle_due_at=due)
    [row] = client.get(f"{BASE}/requests.json").json()
    assert row["expected_datetime"] == timezone.localtime(due).replace(microsecond=0).isoformat()


def test_the_status_notes_speak_english_when_asked(client, o311):
    report(category=o311.garbage)
    [row] = client.get(f"{BASE}/requests.json", HTTP_ACCEPT_LANGUAGE="en").json()
    assert row["status_notes"] == "Received, awaiting verification"


def test_every_status_maps_to_open_or_closed_with_notes():
    assert set(selectors.STATUS_MAP) | set(selectors.HIDDEN_STATUSES) == set(Status.values)
    for value in Status.values:
        petition = Petition(status=value)
        mapped = selectors.public_status(petition)
        if value in selectors.HIDDEN_STATUSES:
            assert mapped is None
            continue
        kind, note = mapped
        assert note
        expected = (
            "closed" if value in (Status.RESOLVED, Status.CLOSED, Status.REJECTED, Status.MERGED) else "open"
        )
        assert kind == expected, value


def test_the_agency_is_the_department_or_the_node_of_the_handling_level(city, o311):
    petition = report(category=o311.road)
    petition = selectors.request_get(petition.pk)
    assert selectors.agency_responsible(petition) == petition.grid.name
    petition.level = Level.COMMUNITY
    assert selectors.agency_responsible(petition) == city.community_a.name
    petition.level = Level.STREET
    assert selectors.agency_responsible(petition) == city.street_a.name


def test_only_published_sources_are_listed(client, o311, people):
    public = report(category=o311.garbage)
    hotline = report(category=o311.garbage, actor=people.worker, source=Source.HOTLINE)
    ids = [r["service_request_id"] for r in client.get(f"{BASE}/requests.json").json()]
    assert ids == [public.pk]
    assert client.get(f"{BASE}/requests/{hotline.pk}.json").status_code == 404
    Petition.objects.filter(pk=public.pk).update(status=Status.DRAFT)
    assert client.get(f"{BASE}/requests.json").json() == []
    assert client.get(f"{BASE}/requests/{public.pk}.json").status_code == 404


def test_the_filters(client, o311):
    now = timezone.now()
    garbage = report(category=o311.garbage, now=now - timedelta(days=1))
    road = report(category=o311.road, now=now - timedelta(days=2), at=POINT_B1)
    old = report(category=o311.road, now=now - timedelta(days=120))
    Petition.objects.filter(pk=road.pk).update(status=Status.CLOSED, closed_at=now)

    def ids(**params):
        answer = client.get(f"{BASE}/requests.json", params)
        assert answer.status_code == 200, answer.content
        return [r["service_request_id"] for r in answer.json()]

    assert ids() == [garbage.pk, road.pk]  # newest first, the last 90 days
    assert ids(service_code="RD01") == [road.pk]
    assert ids(service_code="RD01,SR01") == [garbage.pk, road.pk]
    assert ids(status="open") == [garbage.pk]
    assert ids(status="closed") == [road.pk]
    assert ids(status="open,closed") == [garbage.pk, road.pk]
    back = timezone.localtime(now - timedelta(days=130))
    assert ids(start_date=back.isoformat()) == [old.pk]  # 90 days from the start
    assert ids(end_date=(now - timedelta(days=100)).isoformat()) == [old.pk]
    assert ids(
        start_date=(now - timedelta(days=3)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        end_date=(now - timedelta(days=1, hours=12)).strftime("%Y-%m-%dT%H:%M:%SZ"),
    ) == [road.pk]
    # service_request_id overrides every other argument (even the window and the status)
    assert sorted(ids(service_request_id=f"{old.pk},{garbage.pk}", status="closed")) == sorted(
        [old.pk, garbage.pk]
    )
    # an unencoded "+" of the offset arrives as a space
    assert ids(start_date=back.strftime("%Y-%m-%dT%H:%M:%S") + " 08:00") == [old.pk]


@pytest.mark.parametrize(
    "params",
    [
        {"status": "pending"},
        {"start_date": "yesterday"},
        {"start_date": "2026-01-01T00:00:00Z", "end_date": "2026-06-01T00:00:00Z"},  # over 90 days
        {"start_date": "2026-02-01T00:00:00Z", "end_date": "2026-01-01T00:00:00Z"},
        {"service_request_id": "12,abc"},
        {"service_request_id": "99999999999999999999"},
        {"service_code": "SR01\x00"},
        {"start_date": "2026-01-01\x00"},
    ],
)
def test_bad_arguments_are_the_spec_400(client, o311, params):
    for fmt in ("json", "xml"):
        answer = client.get(f"{BASE}/requests.{fmt}", params)
        assert answer.status_code == 400
        if fmt == "json":
            assert answer.json()[0]["code"] == 400
        else:
            assert xml_of(answer).find("error/code").text == "400"


def test_a_token_is_the_request_id(client, o311):
    pk = post(client, o311).json()[0]["service_request_id"]
    answer = client.get(f"{BASE}/tokens/{pk}.json")
    assert answer.status_code == 200
    assert set(answer.json()[0]) == spec_keys(spec.TOKEN_JSON)
    assert answer.json() == [{"service_request_id": pk, "token": str(pk)}]
    ours, theirs = xml_of(client.get(f"{BASE}/tokens/{pk}.xml")), ET.fromstring(spec.TOKEN_XML.encode())
    assert tags(ours) == tags(theirs) and tags(ours[0]) == tags(theirs[0])
    for missing in ("999999", "abc"):
        assert client.get(f"{BASE}/tokens/{missing}.json").status_code == 404


def test_what_is_not_there_is_the_spec_404(client, o311):
    for path in (
        f"{BASE}/requests/424242.json",
        f"{BASE}/nothing.json",
        f"{BASE}/services/X/extra.json",
        f"{BASE}/services/SR01%00.json",
        f"{BASE}/tokens/%D9%A1.json",
    ):
        answer = client.get(path)
        assert answer.status_code == 404, path
        assert answer.json()[0]["code"] == 404
    answer = client.get(f"{BASE}/nothing.xml")
    assert answer.status_code == 404 and xml_of(answer).find("error/code").text == "404"


def test_the_api_is_throttled_with_the_spec_error(client, o311, monkeypatch):
    monkeypatch.setattr(api.Open311Throttle, "rate", "2/minute", raising=False)
    assert client.get(f"{BASE}/services.json").status_code == 200
    assert client.get(f"{BASE}/services.json").status_code == 200
    answer = client.get(f"{BASE}/services.xml")
    assert answer.status_code == 429
    assert answer["Retry-After"]
    assert xml_of(answer).find("error/code").text == "429"


def test_posting_needs_no_csrf_token(o311):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    assert post(strict, o311).status_code == 201


def test_a_list_costs_the_same_queries_for_few_and_many_requests(client, o311):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            answer = client.get(f"{BASE}/requests.json")
        assert answer.status_code == 200
        return len(queries), len(answer.json())

    report(category=o311.garbage)
    few, n_few = count()
    for i in range(6):
        report(category=o311.road if i % 2 else o311.garbage, at=POINT_B1 if i % 3 else POINT_A1)
    post(client, o311)
    many, n_many = count()
    assert (n_few, n_many) == (1, 8)
    assert few == many


def test_text_that_xml_cannot_carry_is_dropped_and_the_document_still_parses(client, o311):
    report(category=o311.garbage, description="井盖\x01丢失\x0b了 <b>&</b>")
    row = xml_of(client.get(f"{BASE}/requests.xml")).find("request/description")
    assert row.text == "井盖丢失了 <b>&</b>"


def test_the_json_is_utf8_not_escaped(client, o311):
    answer = client.get(f"{BASE}/services.json")
    assert "垃圾清运".encode() in answer.content
    assert json.loads(answer.content.decode("utf-8"))


def test_an_address_alone_is_placed_at_the_one_building_it_names(client, city, o311):
    from residents.models import Building
    from tests.residents.factories import household

    for number in ("3", "13"):
        building = household(city.grid_a1, building=number).unit.building
        Building.objects.filter(pk=building.pk).update(
            address=f"光明路{number}号", latitude=POINT_A1[0], longitude=POINT_A1[1]
        )
    placed = post(client, o311, lat="", long="", address_string="光明路13号")
    assert placed.status_code == 201, placed.content
    petition = Petition.objects.get()
    assert petition.grid == city.grid_a1 and petition.address == "光明路13号"
    assert (petition.latitude, petition.longitude) == POINT_A1

    several = post(client, o311, lat="", long="", address_string="光明路")
    assert several.status_code == 400 and "address_string" in several.json()[0]["description"]
    unknown = post(client, o311, lat="", long="", address_string="不存在的路99号")
    assert unknown.status_code == 400 and "address_string" in unknown.json()[0]["description"]
    nothing = post(client, o311, lat="", long="")
    assert nothing.status_code == 400 and "lat" in nothing.json()[0]["description"]
    assert Petition.objects.count() == 1
