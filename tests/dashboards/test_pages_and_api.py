import io

import pytest
import time_machine
from openpyxl import load_workbook

from dashboards import cache as dashboard_cache
from dashboards import selectors
from dashboards.periods import window_from
from petitions.models import Petition, Status
from tests.dashboards.data import NOW, build, petition

pytestmark = pytest.mark.django_db


@pytest.fixture
def dataset(city, people):
    with time_machine.travel(NOW, tick=False):
        build(city, people)
    return city


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def test_the_api_answers_the_headline_with_red_and_yellow(api_client, people, dataset, frozen):
    api_client.force_authenticate(people.assessor)
    response = api_client.get(f"/api/v1/dashboard/{dataset.city.pk}/")
    assert response.status_code == 200
    body = response.json()
    expected = selectors.headline(node=dataset.city, window=window_from({}, today=NOW.date()), now=NOW)
    assert body["red"] == expected["red"] == 6 and body["yellow"] == expected["yellow"] == 3
    assert (body["start"], body["end"]) == ("2026-03-01", "2026-03-31")
    custom = api_client.get(
        f"/api/v1/dashboard/{dataset.city.pk}/", {"start": "2026-02-01", "end": "2026-02-28"}
    )
    assert custom.json()["received"] == 3  # the three "old" petitions received 40 days earlier


def test_a_bad_period_is_a_400_naming_the_field(api_client, people, dataset):
    api_client.force_authenticate(people.assessor)
    response = api_client.get(
        f"/api/v1/dashboard/{dataset.city.pk}/", {"start": "2026-03-05", "end": "2026-03-01"}
    )
    assert response.status_code == 400 and "end" in response.json()["errors"]


def test_a_street_official_sees_its_streets_communities_on_the_map(client, people, dataset, frozen):
    client.force_login(people.official)
    response = client.get(f"/dashboards/{dataset.street_a.pk}/")
    assert response.status_code == 200
    geo = response.context["map"]
    assert [f["properties"]["name"] for f in geo["features"]] == ["甲社区"]
    assert client.get(f"/dashboards/{dataset.street_b.pk}/").status_code == 404
    assert client.get(f"/dashboards/{dataset.city.pk}/").status_code == 404


def test_the_api_hides_other_streets_too(api_client, people, dataset):
    api_client.force_authenticate(people.official)
    for suffix in ("", "children/", "lights/", "trends/", "map/"):
        assert api_client.get(f"/api/v1/dashboard/{dataset.street_b.pk}/{suffix}").status_code == 404
        assert api_client.get(f"/api/v1/dashboard/{dataset.street_a.pk}/{suffix}").status_code == 200


def test_the_lights_board_lists_red_first_and_links_each_item(client, people, dataset, frozen):
    client.force_login(people.assessor)
    board = client.get(f"/dashboards/{dataset.city.pk}/").context["board"]
    lights = [item.light for item in board]
    assert lights == sorted(lights, key=lambda light: light != "RED")
    assert {item.kind for item in board} >= {"petition", "key_person"}
    red = next(item for item in board if item.kind == "petition" and item.light == "RED")
    assert client.get(red.url).status_code == 200


def test_the_cache_is_invalidated_for_the_nodes_a_change_touches(people, dataset, frozen):
    window = window_from({}, today=NOW.date())

    def red(node):
        return dashboard_cache.cached(
            "headline", node, window.key, lambda: selectors.headline(node=node, window=window, now=NOW)
        )["red"]

    before_city, before_b = red(dataset.city), red(dataset.street_b)
    petition(dataset.grid_a1, Status.RECEIVED, due_at=NOW, warn_at=NOW)
    assert red(dataset.city) == before_city  # cached
    dashboard_cache.invalidate_grid(dataset.grid_a1.pk)
    assert red(dataset.city) == before_city + 1
    assert red(dataset.street_b) == before_b


def test_the_sweep_invalidates_when_a_light_changed(dataset, frozen):
    dashboard_cache.sweep_invalidate(now=NOW)
    assert dashboard_cache.sweep_invalidate(now=NOW) == {"invalidated": False}
    Petition.objects.filter(grid=dataset.grid_a1).update(light_changed_at=NOW)
    assert dashboard_cache.sweep_invalidate(now=NOW) == {"invalidated": True}


def test_the_excel_export_has_the_same_figures_as_the_page(client, people, dataset, frozen):
    client.force_login(people.assessor)
    page = client.get(f"/dashboards/{dataset.city.pk}/")
    rows = page.context["rows"]
    response = client.get(f"/dashboards/{dataset.city.pk}/children.xlsx")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    table = list(sheet.iter_rows(min_row=3, values_only=True))
    assert [r[0] for r in table] == ["T-A", "T-B", "T"]
    for row, line in zip(rows, table, strict=False):
        assert line[2] == row.figures["received"] and line[4] == row.figures["red"]
        assert line[6] == row.figures["on_time_rate"]
    total = table[-1]
    assert total[4] == page.context["figures"]["red"]


def test_the_table_sorts_by_a_figure(client, people, dataset, frozen):
    client.force_login(people.assessor)
    rows = client.get(f"/dashboards/{dataset.city.pk}/", {"sort": "-red"}).context["rows"]
    assert [r.figures["red"] for r in rows] == sorted((r.figures["red"] for r in rows), reverse=True)


def test_the_wall_display_refreshes_itself_with_htmx(client, people, dataset, frozen):
    client.force_login(people.assessor)
    page = client.get(f"/dashboards/{dataset.city.pk}/wall/").content.decode()
    assert 'hx-trigger="every 60s"' in page and "<nav" not in page
    partial = client.get(f"/dashboards/{dataset.city.pk}/wall/", HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in partial and 'data-testid="headline"' in partial


def test_a_change_reported_on_commit_invalidates_the_dashboards_above(
    people, dataset, frozen, django_capture_on_commit_callbacks
):
    from hlgrid.changes import node_changed

    window = window_from({}, today=NOW.date())

    def red():
        return dashboard_cache.cached(
            "headline",
            dataset.city,
            window.key,
            lambda: selectors.headline(node=dataset.city, window=window, now=NOW),
        )["red"]

    before = red()
    petition(dataset.grid_b1, Status.RECEIVED, due_at=NOW, warn_at=NOW)
    with django_capture_on_commit_callbacks(execute=True):
        node_changed(dataset.grid_b1.pk)
    assert red() == before + 1


def test_a_petition_transition_refreshes_the_dashboards_above_its_grid(
    people, dataset, frozen, django_capture_on_commit_callbacks
):
    from petitions import services

    window = window_from({}, today=NOW.date())

    def received_red():
        return dashboard_cache.cached(
            "headline",
            dataset.street_a,
            window.key,
            lambda: selectors.headline(node=dataset.street_a, window=window, now=NOW),
        )["red"]

    before = received_red()
    target = Petition.objects.filter(grid=dataset.grid_a1, status=Status.RECEIVED, due_at__lte=NOW).first()
    with django_capture_on_commit_callbacks(execute=True):
        services.petition_verify(actor=people.worker, petition=target, now=NOW)
    assert received_red() == before - 1  # verified: its verify step (and light) is over
