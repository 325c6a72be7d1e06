"""The pages and the API answer an outsider 404 like the services; lists cost the same number of
queries at two data sizes; the main writes go through the API; the Excel export adds up."""

import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from grids.access import SYSTEM
from grids.models import PostKind
from grids.services import post_assign
from property.models import SpendingEntry
from tests.factories import UserFactory
from tests.property import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def official_a(city):
    user = UserFactory(username="c_official_a")
    post_assign(actor=SYSTEM, user=user, kind=PostKind.OFFICIAL, node=city.community_a)
    return user


def test_a_community_official_gets_404_for_another_communitys_pages_and_api(
    client, api_client, official_a, place
):
    client.force_login(official_a)
    api_client.force_authenticate(official_a)
    b, pb = place.compound_b, place.project_b
    for url in [
        f"/property/compounds/{b.pk}/",
        f"/property/compounds/{b.pk}/edit/",
        f"/property/firms/{place.firm_b.pk}/",
        f"/property/renovations/{pb.pk}/",
        f"/property/renovations/{pb.pk}/edit/",
    ]:
        assert client.get(url).status_code == 404, url
    assert client.post(f"/property/renovations/{pb.pk}/spending/", {"amount": "1.00"}).status_code == 404
    for url in [
        f"/api/v1/compounds/{b.pk}/",
        f"/api/v1/property-firms/{place.firm_b.pk}/",
        f"/api/v1/renovations/{pb.pk}/",
    ]:
        assert api_client.get(url).status_code == 404, url
    answer = api_client.post(
        f"/api/v1/renovations/{pb.pk}/spending/",
        {"spent_on": "2024-05-01", "amount": "1.00", "what": "x"},
        format="json",
    )
    assert answer.status_code == 404
    assert not SpendingEntry.objects.exists()
    listed = api_client.get("/api/v1/compounds/").json()["results"]
    assert [row["id"] for row in listed] == [place.compound_a.pk]
    # their own compound's pages open
    assert client.get(f"/property/compounds/{place.compound_a.pk}/").status_code == 200
    assert client.get(f"/property/renovations/{place.project_a.pk}/").status_code == 200


def test_the_api_records_budget_and_spending_to_the_fen_and_refuses_an_unexplained_overrun(
    api_client, people, place
):
    api_client.force_authenticate(people.official)
    url = f"/api/v1/renovations/{place.project_a.pk}/"
    for source, amount in [("PROVINCIAL", "0.10"), ("CITY", "0.20"), ("RESIDENTS", "0.01")]:
        assert (
            api_client.post(url + "budget/", {"source": source, "amount": amount}, format="json").status_code
            == 200
        )
    answer = api_client.post(
        url + "spending/", {"spent_on": "2024-05-01", "amount": "100.31", "what": "全部"}, format="json"
    )
    assert answer.status_code == 201, answer.json()
    assert answer.json()["budget_total"] == "100.31" and answer.json()["spent_total"] == "100.31"
    over = api_client.post(
        url + "spending/", {"spent_on": "2024-05-01", "amount": "0.01", "what": "追加"}, format="json"
    )
    assert over.status_code == 400 and "over_budget_reason" in over.json()["errors"]
    bad = api_client.post(url + "budget/", {"source": "CITY", "amount": "0.001"}, format="json")
    assert bad.status_code == 400 and "amount" in bad.json()["errors"]


def test_the_worker_may_read_but_not_write_through_the_api(api_client, people, place):
    api_client.force_authenticate(people.worker)
    assert api_client.get(f"/api/v1/renovations/{place.project_a.pk}/").status_code == 200
    answer = api_client.post(
        f"/api/v1/renovations/{place.project_a.pk}/budget/",
        {"source": "CITY", "amount": "1.00"},
        format="json",
    )
    assert answer.status_code == 403
    sample = api_client.post(f"/api/v1/compounds/{place.compound_a.pk}/samples/", {"score": 5}, format="json")
    assert sample.status_code == 201


def test_the_star_board_is_computed_and_published_through_the_api(api_client, city, people, place):
    import time_machine

    with time_machine.travel("2024-07-10 10:00 +0800", tick=False):
        api_client.force_authenticate(people.gridhead)
        refused = api_client.post(
            "/api/v1/property-star-boards/compute/",
            {"street": city.street_a.pk, "year": 2024, "quarter": 2},
            format="json",
        )
        assert refused.status_code in (400, 403, 404)
        api_client.force_authenticate(people.official)
        board = api_client.post(
            "/api/v1/property-star-boards/compute/",
            {"street": city.street_a.pk, "year": 2024, "quarter": 2},
            format="json",
        ).json()
        assert [r["firm"] for r in board["rows"]] == [place.firm_a.pk]
        published = api_client.post(f"/api/v1/property-star-boards/{board['id']}/publish/")
        assert published.status_code == 200 and published.json()["status"] == "PUBLISHED"
        api_client.force_authenticate(people.worker)
        assert api_client.get(f"/api/v1/property-star-boards/{board['id']}/").status_code == 200


def grow(city, copies: int):
    for _n in range(copies):
        firm = factories.firm(city.street_a)
        compound = factories.compound(
            city.community_a,
            firm=firm,
            buildings=[factories.building(city.grid_a1), factories.building(city.grid_a2)],
        )
        factories.renovation(compound, budget={"CENTRAL": "10.00", "CITY": "0.10"})


@pytest.mark.parametrize(
    "url",
    ["/property/", "/property/firms/", "/property/renovations/", "/property/stars/", "/api/v1/compounds/",
     "/api/v1/property-firms/", "/api/v1/renovations/"],
)  # fmt: skip
def test_list_pages_cost_the_same_queries_at_two_sizes(client, city, people, place, url):
    client.force_login(people.official)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx)

    grow(city, 1)
    count()  # once to warm the per-process caches (calendar, locator), which load on first use
    small = count()
    grow(city, 5)
    assert count() == small


def test_the_excel_export_holds_the_totals_to_the_fen(client, people, place):
    from property import services

    services.budget_line_set(actor=SYSTEM, project=place.project_a, source="CITY", amount="0.20")
    services.budget_line_set(actor=SYSTEM, project=place.project_a, source="RESIDENTS", amount="0.10")
    client.force_login(people.official)
    answer = client.get("/property/renovations/export.xlsx")
    assert answer.status_code == 200
    sheet = load_workbook(
        io.BytesIO(b"".join(answer.streaming_content) if answer.streaming else answer.content)
    ).worksheets[0]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert [Decimal(str(r[3])) for r in rows] == [Decimal("100.30"), Decimal("100.30")]  # street A, total


def test_a_milestone_photo_is_served_only_to_who_sees_the_project(client, people, place):
    from property import services
    from tests.petitions.factories import jpeg

    milestone = services.milestone_record(
        actor=SYSTEM, project=place.project_a, title="完工", reached_on="2024-06-01", after=[jpeg()]
    )
    photo = milestone.photos.get()
    client.force_login(people.worker)
    assert client.get(f"/property/photos/{photo.pk}/").status_code == 200
    client.force_login(people.outsider)
    assert client.get(f"/property/photos/{photo.pk}/").status_code == 404
