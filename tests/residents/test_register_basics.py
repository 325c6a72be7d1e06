"""一标三实 basics: 民族, 与户主关系, 政治面貌, 人户状态 of a resident; 自住/出租/空置 of a
dwelling with its landlord's household. Through the service, the form, the API and the import."""

import io
from collections import Counter

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import Workbook

from grids.access import SYSTEM
from hlgrid.errors import InvalidInput, NotFound
from residents import importer, services
from residents.models import (
    Ethnicity,
    Household,
    Occupancy,
    PoliticalStatus,
    Relationship,
    ResidenceStatus,
    Resident,
)
from tests.residents import factories

pytestmark = pytest.mark.django_db
HEADER = [title for title, _key, _required in importer.COLUMNS]


def workbook(rows: list[dict]) -> io.BytesIO:
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    keys = [key for _title, key, _required in importer.COLUMNS]
    for row in rows:
        sheet.append([row.get(key, "") for key in keys])
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    return out


def row(**values):
    base = {"building": "1", "unit": "1", "door": "101", "name": "金哲", "id_number": factories.id_number()}
    return {**base, **values}


def new_resident(household, **basics):
    return services.resident_create(
        actor=SYSTEM, household=household, name="朴英", id_number=factories.id_number(), **basics
    )


# --- the service --------------------------------------------------------------------------------


def test_a_resident_is_registered_with_the_four_basics(city):
    household = factories.household(city.grid_a1)
    resident = new_resident(
        household,
        ethnicity=Ethnicity.KOREAN,
        relationship=Relationship.HEAD,
        political_status=PoliticalStatus.PROBATIONARY,
        residence_status=ResidenceStatus.MIGRANT,
    )
    resident.refresh_from_db()
    assert (resident.ethnicity, resident.relationship) == ("10", "02")
    assert resident.political_status == "02" and resident.is_party_member
    assert resident.residence_status == ResidenceStatus.MIGRANT


def test_a_household_has_one_head_and_a_second_is_refused(city):
    household = factories.household(city.grid_a1)
    new_resident(household, relationship=Relationship.HEAD)
    with pytest.raises(InvalidInput) as refused:
        new_resident(household, relationship=Relationship.HEAD)
    assert "relationship" in refused.value.errors
    assert Resident.objects.filter(household=household).count() == 1
    new_resident(household, relationship=Relationship.SPOUSE)  # anyone else may join


@pytest.mark.parametrize(
    "basics, field",
    [
        ({"ethnicity": "57"}, "ethnicity"),
        ({"relationship": "户主"}, "relationship"),
        ({"political_status": "99"}, "political_status"),
        ({"residence_status": "ELSEWHERE"}, "residence_status"),
        ({"political_status": PoliticalStatus.MASSES, "is_party_member": True}, "political_status"),
    ],
)
def test_an_unknown_or_contradictory_basic_is_refused_on_its_field(city, basics, field):
    household = factories.household(city.grid_a1)
    with pytest.raises(InvalidInput) as refused:
        new_resident(household, **basics)
    assert field in refused.value.errors and not Resident.objects.exists()


def test_party_membership_follows_the_political_status_and_older_callers_still_work(city):
    household = factories.household(city.grid_a1)
    league = new_resident(household, political_status=PoliticalStatus.LEAGUE_MEMBER)
    assert not league.is_party_member
    legacy = new_resident(household, is_party_member=True)
    assert legacy.political_status == PoliticalStatus.PARTY_MEMBER and legacy.is_party_member
    unrecorded = new_resident(household)
    assert unrecorded.political_status == "" and not unrecorded.is_party_member


def test_a_rented_dwelling_names_its_landlord_and_the_landlord_lists_its_tenants(city, people):
    owner = factories.household(city.grid_a1, door="101")
    flat = factories.household(city.grid_a1, door="102")
    services.household_set_occupancy(actor=people.worker, household=flat, occupancy="RENTED", landlord=owner)
    flat.refresh_from_db()
    assert flat.occupancy == Occupancy.RENTED and flat.landlord == owner
    assert list(owner.tenant_households.all()) == [flat]
    client = Client()
    client.force_login(people.worker)
    html = client.get(reverse("residents:household", args=[owner.pk])).content.decode()
    assert 'data-testid="tenants"' in html and flat.label in html
    html = client.get(reverse("residents:household", args=[flat.pk])).content.decode()
    assert 'data-occupancy="RENTED"' in html and owner.label in html


def test_only_a_rented_dwelling_has_a_landlord_and_never_itself(city, people):
    owner = factories.household(city.grid_a1, door="101")
    flat = factories.household(city.grid_a1, door="102")
    for occupancy, landlord in [("OWNER", owner), ("VACANT", owner), ("RENTED", flat), ("SOLD", None)]:
        with pytest.raises(InvalidInput):
            services.household_set_occupancy(
                actor=people.worker, household=flat, occupancy=occupancy, landlord=landlord
            )
    flat.refresh_from_db()
    assert flat.occupancy == Occupancy.OWNER and flat.landlord is None


def test_the_occupancy_of_another_grid_answers_404_through_service_page_and_api(city, people, api_client):
    theirs = factories.household(city.grid_b1)
    mine = factories.household(city.grid_a1)
    with pytest.raises(NotFound):
        services.household_set_occupancy(actor=people.worker, household=theirs, occupancy="VACANT")
    with pytest.raises(NotFound):  # nor a landlord outside the worker's grids
        services.household_set_occupancy(
            actor=people.worker, household=mine, occupancy="RENTED", landlord=theirs
        )
    client = Client()
    client.force_login(people.worker)
    response = client.post(reverse("residents:household", args=[theirs.pk]), {"occupancy": "VACANT"})
    assert response.status_code == 404
    api_client.force_authenticate(people.worker)
    url = f"/api/v1/households/{theirs.pk}/occupancy/"
    assert api_client.post(url, {"occupancy": "VACANT"}, format="json").status_code == 404
    theirs.refresh_from_db()
    assert theirs.occupancy == Occupancy.OWNER


# --- the form and the API -----------------------------------------------------------------------


def test_the_register_form_takes_the_basics_and_shows_errors_per_field(city, people):
    household = factories.household(city.grid_a1)
    new_resident(household, relationship=Relationship.HEAD)
    client = Client()
    client.force_login(people.worker)
    url = reverse("residents:resident_new", args=[household.pk])
    page = client.get(url).content.decode()
    assert 'name="ethnicity"' in page and 'name="relationship"' in page and 'name="political_status"' in page
    data = {
        "name": "李明",
        "id_number": factories.id_number(),
        "relationship": Relationship.HEAD,
        "ethnicity": Ethnicity.HAN,
        "political_status": PoliticalStatus.MASSES,
        "residence_status": ResidenceStatus.REGISTERED,
    }
    response = client.post(url, data)
    assert response.status_code == 200 and 'data-testid="error-relationship"' in response.content.decode()
    assert Resident.objects.filter(household=household).count() == 1
    response = client.post(url, {**data, "relationship": Relationship.CHILD})
    assert response.status_code == 302
    child = Resident.objects.get(name="李明")
    assert (child.ethnicity, child.relationship, child.political_status) == ("01", "20", "13")
    listing = client.get(reverse("residents:resident_search"), {"q": "李明"}).content.decode()
    assert str(Ethnicity.HAN.label) in listing and str(Relationship.CHILD.label) in listing


def test_the_api_creates_and_shows_the_basics_and_sets_the_occupancy(city, people, api_client):
    household = factories.household(city.grid_a1)
    other = factories.household(city.grid_a1, door="102")
    api_client.force_authenticate(people.worker)
    body = {
        "household": household.pk,
        "name": "崔振",
        "id_number": factories.id_number(),
        "ethnicity": "10",
        "relationship": "02",
        "political_status": "01",
        "residence_status": "SEPARATED",
    }
    response = api_client.post("/api/v1/residents/", body, format="json")
    assert response.status_code == 201, response.json()
    shown = response.json()
    assert (shown["ethnicity"], shown["relationship"], shown["political_status"]) == ("10", "02", "01")
    assert shown["is_party_member"] and shown["residence_status"] == "SEPARATED"
    bad = api_client.post(
        "/api/v1/residents/", {**body, "id_number": factories.id_number(), "ethnicity": "99"}
    )
    assert bad.status_code == 400 and "ethnicity" in bad.json()["errors"]
    listed = api_client.get("/api/v1/residents/", {"ethnicity": "10"}).json()["results"]
    assert [r["name"] for r in listed] == ["崔振"]
    url = f"/api/v1/households/{other.pk}/occupancy/"
    response = api_client.post(url, {"occupancy": "RENTED", "landlord": household.pk}, format="json")
    assert response.status_code == 200 and response.json()["landlord"] == household.pk
    refused = api_client.post(url, {"occupancy": "OWNER", "landlord": household.pk}, format="json")
    assert refused.status_code == 400 and "landlord" in refused.json()["errors"]
    unknown = api_client.post(url, {"occupancy": "OWNER", "tenant": 1}, format="json")
    assert unknown.status_code == 400


# --- the import ---------------------------------------------------------------------------------


def test_an_import_with_the_basics_records_them(city, people):
    rows = [
        row(name="金哲", relationship="户主", ethnicity="朝鲜族", political_status="中共党员", party="是",
            residence_status="户籍人口", occupancy="出租"),
        row(name="金妍", relationship="配偶", ethnicity="朝鲜", political_status="群众", occupancy="出租"),
        row(door="102", name="王磊", relationship="户主", ethnicity="汉族", political_status="共青团员",
            residence_status="流动人口"),
    ]  # fmt: skip
    result = importer.register_import(actor=people.worker, grid=city.grid_a1, file=workbook(rows))
    assert result.ok, result.errors
    jin = Resident.objects.get(name="金哲")
    assert (jin.relationship, jin.ethnicity, jin.political_status, jin.is_party_member) == (
        "02",
        "10",
        "01",
        True,
    )
    assert Resident.objects.get(name="金妍").ethnicity == Ethnicity.KOREAN
    wang = Resident.objects.get(name="王磊")
    assert (wang.political_status, wang.residence_status, wang.is_party_member) == ("03", "MIGRANT", False)
    assert jin.household.occupancy == Occupancy.RENTED
    assert Household.objects.get(pk=wang.household_id).occupancy == Occupancy.OWNER


def test_an_import_with_bad_basics_names_each_row_and_writes_nothing(city, people):
    existing = factories.household(city.grid_a1, building="7", door="701")
    new_resident(existing, relationship=Relationship.HEAD)
    rows = [
        row(name="甲", relationship="户主"),  # row 2: fine
        row(name="乙", relationship="户主"),  # row 3: a second head of the same household
        row(door="102", name="丙", ethnicity="火星族"),  # row 4: not a nationality
        row(door="103", name="丁", political_status="群众", party="是"),  # row 5: disagree
        row(door="104", name="戊", residence_status="暂住"),  # row 6: unknown
        row(door="105", name="己", occupancy="自住"),
        row(door="105", name="庚", occupancy="出租"),  # row 8: differs from row 7
        row(building="7", door="701", name="辛", relationship="户主"),  # row 9: head already registered
        row(door="106", name="壬", relationship="表哥"),  # row 10: unknown relationship
    ]
    before = Resident.objects.count()
    result = importer.register_import(actor=people.worker, grid=city.grid_a1, file=workbook(rows))
    assert [e.row for e in result.errors] == [3, 4, 5, 6, 8, 9, 10]
    messages = {e.row: e.message for e in result.errors}
    assert "2" in messages[3] and "火星族" in messages[4] and "7" in messages[8]
    assert Resident.objects.count() == before


# --- the demo -----------------------------------------------------------------------------------


def test_the_demo_has_plausible_shares_for_helong(helong):
    residents = list(
        Resident.objects.values_list("ethnicity", "political_status", "is_party_member", "residence_status")
    )
    n = len(residents)
    ethnicity = Counter(r[0] for r in residents)
    assert 0.55 <= ethnicity[Ethnicity.KOREAN] / n <= 0.65
    assert 0.33 <= ethnicity[Ethnicity.HAN] / n <= 0.43
    assert 0 < n - ethnicity[Ethnicity.KOREAN] - ethnicity[Ethnicity.HAN] <= 0.05 * n
    party = sum(1 for r in residents if r[2])
    assert 0.06 <= party / n <= 0.11
    assert all((r[1] in ("01", "02")) == r[2] for r in residents)
    status = Counter(r[3] for r in residents)
    assert 0.07 <= status[ResidenceStatus.MIGRANT] / n <= 0.13
    assert 0.04 <= status[ResidenceStatus.SEPARATED] / n <= 0.08
    households = Household.objects.count()
    rented = Household.objects.filter(occupancy=Occupancy.RENTED).count()
    assert 0.09 <= rented / households <= 0.15
    # one head per household, and every household has one
    heads = Resident.objects.filter(relationship=Relationship.HEAD).count()
    assert heads == households
    assert not Household.objects.exclude(occupancy=Occupancy.RENTED).filter(landlord__isnull=False).exists()
