"""The staff intake page (接诉登记) and finding a petition from the inbox and the API list:
by tracking code (a joined resident's too), by phone (exact, keyed hash), by words, by
source; always within the caller's scope; a fixed number of queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from hlgrid.crypto import lookup_hash, mask_phone
from petitions.models import Petition, PetitionJoin, Source
from petitions.services.intake import tracking_code_new
from tests.petitions.factories import POINT_A1, POINT_B1, jpeg, report
from tests.residents.factories import household

pytestmark = pytest.mark.django_db
PAGE = "/petitions/intake/"
API = "/api/v1/petitions/"


@pytest.fixture
def building_a1(city):
    return household(city.grid_a1, building="3").unit.building


def form(**data):
    return {
        "source": "HOTLINE",
        "description": "来电：小区门口垃圾桶满了",
        "location_mode": "building",
        "idempotency_key": "form-key-1",
        **data,
    }


def join(petition, *, phone="", code=None) -> PetitionJoin:
    return PetitionJoin.objects.create(
        petition=petition,
        tracking_code=code or tracking_code_new(),
        reporter_phone=phone,
        reporter_phone_hint=mask_phone(phone),
        reporter_phone_hash=lookup_hash(phone) if phone else "",
    )


# --- the page ---------------------------------------------------------------------------------


def test_a_worker_takes_a_call_in_by_building_and_lands_on_the_petition(
    client, city, people, team, building_a1
):
    client.force_login(people.worker)
    page = client.get(PAGE)
    assert page.status_code == 200
    html = page.content.decode()
    for testid in ("intake-source", "pane-building", "pane-point", "pane-address", "intake-notify"):
        assert f'data-testid="{testid}"' in html
    found = client.get("/petitions/intake/buildings/", {"bq": "3号楼"}).content.decode()
    assert f'value="{building_a1.pk}"' in found
    response = client.post(
        PAGE,
        form(
            building=building_a1.pk,
            address="2单元301",
            reporter_name="赵六",
            reporter_phone="13912345678",
            reporter_notify="on",
            photos=[jpeg()],
        ),
    )
    petition = Petition.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/petitions/{petition.pk}/"
    assert petition.source == Source.HOTLINE and petition.grid == city.grid_a1
    assert petition.reporter_notify and petition.reporter_phone_hint == "139****5678"
    assert petition.attachments.count() == 1 and "2单元301" in petition.address
    again = client.post(PAGE, form(building=building_a1.pk, address="2单元301", reporter_name="赵六"))
    assert again.status_code in (200, 302) and Petition.objects.count() == 1  # same key: not twice
    detail = client.get(response["Location"]).content.decode()
    assert 'data-source="HOTLINE"' in detail and "139****5678" in detail and "13912345678" not in detail


def test_the_page_takes_a_point_or_a_grid_with_an_address(client, city, people, team):
    client.force_login(people.gridhead)
    client.post(
        PAGE,
        form(
            source="WALK_IN",
            location_mode="point",
            latitude=POINT_A1[0],
            longitude=POINT_A1[1],
            idempotency_key="a",
        ),
    )
    client.post(
        PAGE,
        form(
            source="WINDOW",
            location_mode="address",
            grid=city.grid_a1.pk,
            address="幸福路8号",
            idempotency_key="b",
        ),
    )
    assert sorted(Petition.objects.values_list("source", flat=True)) == ["WALK_IN", "WINDOW"]


def test_bad_input_on_the_page_shows_next_to_the_field_and_changes_nothing(
    client, city, people, team, building_a1
):
    client.force_login(people.worker)
    cases = [
        (form(), "building-error"),  # building mode, none chosen
        (form(location_mode="point"), "location-error"),
        (form(location_mode="point", latitude=10.0, longitude=10.0), "location-error"),
        (form(building=building_a1.pk, reporter_notify="on"), "notify-error"),
        (form(building=building_a1.pk, reporter_phone="123"), "phone-error"),
        (form(location_mode="address", grid=city.grid_b1.pk, address="x"), "grid-error"),  # not one of mine
    ]
    for data, marker in cases:
        response = client.post(PAGE, data)
        assert response.status_code == 200, data
        assert marker in response.content.decode(), data
    assert Petition.objects.count() == 0


def test_the_page_is_refused_to_department_staff_and_assessors_and_finds_only_my_buildings(
    client, city, people, team, building_a1
):
    for user in (team.dept, people.assessor):
        client.force_login(user)
        assert client.get(PAGE).status_code == 403
        assert client.post(PAGE, form(building=building_a1.pk)).status_code == 403
    client.force_login(people.outsider)  # worker of B-1
    assert client.get(PAGE).status_code == 200
    assert "building-option" not in client.get("/petitions/intake/buildings/", {"bq": "3"}).content.decode()
    assert client.post(PAGE, form(building=building_a1.pk)).status_code == 404
    assert Petition.objects.count() == 0
    client.logout()
    assert client.get(PAGE).status_code == 302


def test_the_menu_offers_the_intake_to_field_staff_only(client, city, people, team):
    client.force_login(people.worker)
    assert 'data-testid="nav-intake"' in client.get("/petitions/").content.decode()
    client.force_login(team.dept)
    page = client.get("/petitions/").content.decode()
    assert 'data-testid="nav-intake"' not in page and 'data-testid="inbox-intake"' not in page


# --- finding a petition -----------------------------------------------------------------------


def codes(response) -> set[str]:
    html = response.content.decode()
    return {p.tracking_code for p in Petition.objects.all() if f'data-code="{p.tracking_code}"' in html}


def test_the_inbox_finds_by_code_phone_words_and_source_closed_ones_too(client, city, people, team):
    called = report(
        actor=people.worker, source=Source.HOTLINE, reporter_phone="13812345678", description="路灯不亮"
    )
    walked = report(actor=people.worker, source=Source.WALK_IN, description="下水道堵塞 冒水")
    web = report(description="垃圾桶满了")
    joined = join(web, phone="13700001111")
    client.force_login(people.worker)
    assert codes(client.get("/petitions/", {"q": called.tracking_code.lower()})) == {called.tracking_code}
    spaced = f"{called.tracking_code[:5]} {called.tracking_code[5:]}"
    assert codes(client.get("/petitions/", {"q": spaced})) == {called.tracking_code}
    assert codes(client.get("/petitions/", {"q": joined.tracking_code})) == {web.tracking_code}
    assert codes(client.get("/petitions/", {"q": "138 1234 5678"})) == {called.tracking_code}
    assert codes(client.get("/petitions/", {"q": "+86 137-0000-1111"})) == {web.tracking_code}
    assert codes(client.get("/petitions/", {"q": "13812345670"})) == set()  # exact, not a prefix
    assert codes(client.get("/petitions/", {"q": "1381234"})) == set()
    assert codes(client.get("/petitions/", {"q": "下水道 冒水"})) == {walked.tracking_code}
    assert codes(client.get("/petitions/", {"q": "下水道 路灯"})) == set()  # every word
    assert codes(client.get("/petitions/", {"source": "WALK_IN"})) == {walked.tracking_code}
    Petition.objects.filter(pk=called.pk).update(status="CLOSED")
    page = client.get("/petitions/", {"q": "路灯"})
    assert codes(page) == {called.tracking_code} and 'data-testid="search-count"' in page.content.decode()


def test_a_search_never_leaves_the_scope(client, city, people, team):
    theirs = report(at=POINT_B1, reporter_phone="13812345678", description="路灯不亮")
    join(theirs, phone="13700001111", code="ABCDEFGHJK")
    client.force_login(people.worker)  # of A-1
    for q in (theirs.tracking_code, "ABCDEFGHJK", "13812345678", "13700001111", "路灯"):
        assert codes(client.get("/petitions/", {"q": q})) == set(), q
    client.force_login(people.outsider)  # of B-1
    assert codes(client.get("/petitions/", {"q": "13812345678"})) == {theirs.tracking_code}


def test_a_phone_search_reads_the_keyed_hash_and_decrypts_no_row(client, city, people, team):
    report(actor=people.worker, reporter_phone="13812345678")
    client.force_login(people.worker)
    with CaptureQueriesContext(connection) as queries:
        client.get("/petitions/", {"q": "13812345678"})
    sql = " ".join(q["sql"] for q in queries.captured_queries)
    assert lookup_hash("13812345678") in sql and "13812345678" not in sql


def test_a_landline_is_found_however_its_dash_was_typed(client, city, people, team):
    called = report(actor=people.worker, reporter_phone="0433-1234567")
    client.force_login(people.worker)
    assert codes(client.get("/petitions/", {"q": "04331234567"})) == {called.tracking_code}


def test_the_search_costs_the_same_queries_with_more_petitions(client, city, people, team):
    client.force_login(people.worker)

    def count(q):
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/petitions/", {"q": q}).status_code == 200
        return len(queries)

    for i in range(2):
        join(
            report(actor=people.worker, reporter_phone="13812345678", description=f"垃圾{i}"),
            phone="13812345678",
        )
    small = [count(q) for q in ("13812345678", "垃圾", "ABCDEFGHJK")]
    for i in range(20):
        join(
            report(actor=people.worker, reporter_phone="13812345678", description=f"垃圾{i}"),
            phone="13812345678",
        )
    assert [count(q) for q in ("13812345678", "垃圾", "ABCDEFGHJK")] == small


def test_the_api_list_finds_by_q_and_source_within_scope(api_client, city, people, team):
    called = report(actor=people.worker, source=Source.HOTLINE, reporter_phone="13812345678")
    report(actor=people.worker, source=Source.WINDOW)
    theirs = report(at=POINT_B1, reporter_phone="13812345678")
    web = report()
    joined = join(web, phone="13700001111")
    api_client.force_authenticate(people.worker)

    def listed(**params):
        response = api_client.get(API, params)
        assert response.status_code == 200, response.json()
        return {row["tracking_code"] for row in response.json()["results"]}

    assert listed(q="13812345678") == {called.tracking_code}
    assert theirs.tracking_code not in listed(q=theirs.tracking_code)
    assert listed(q=joined.tracking_code) == {web.tracking_code}
    assert listed(source="HOTLINE") == {called.tracking_code}
    assert api_client.get(API, {"source": "FAX"}).status_code == 400


def test_the_api_list_costs_the_same_queries_with_more_petitions(
    api_client, city, people, team, django_assert_max_num_queries
):
    api_client.force_authenticate(people.worker)
    report(actor=people.worker, reporter_phone="13812345678")
    with CaptureQueriesContext(connection) as small:
        api_client.get(API, {"q": "13812345678"})
    for _ in range(15):
        report(actor=people.worker, reporter_phone="13812345678")
    with django_assert_max_num_queries(len(small)):
        api_client.get(API, {"q": "13812345678"})
