import pytest

from grids.models import GridNode, NodeKind

pytestmark = pytest.mark.django_db


def ids(response):
    return {row["id"] for row in response.json()["results"]}


def test_locate_answers_the_grid_containing_the_point(api_client, city):
    response = api_client.get("/api/v1/grids/locate/", {"lat": 42.505, "lng": 129.03})
    assert response.status_code == 200
    assert response.json() == {"id": city.grid_b1.pk, "code": "T-B-1-1", "name": "乙一网格"}


def test_locate_outside_the_service_area_is_404_with_a_json_error(api_client, city):
    response = api_client.get("/api/v1/grids/locate/", {"lat": 40.0, "lng": 120.0})
    assert response.status_code == 404
    body = response.json()
    assert set(body) == {"detail", "errors"} and body["detail"]


def test_locate_with_bad_coordinates_names_the_field(api_client, city):
    response = api_client.get("/api/v1/grids/locate/", {"lat": "north", "lng": 129.0})
    assert response.status_code == 400
    assert "lat" in response.json()["errors"]
    response = api_client.get("/api/v1/grids/locate/", {"lat": 95, "lng": 129.0})
    assert "lat" in response.json()["errors"]


def test_a_worker_lists_only_its_own_grid(api_client, people, city):
    api_client.force_authenticate(people.worker)
    assert ids(api_client.get("/api/v1/grids/")) == {city.grid_a1.pk}


def test_an_official_lists_its_street_subtree(api_client, people, city):
    api_client.force_authenticate(people.official)
    expected = {city.street_a.pk, city.community_a.pk, city.grid_a1.pk, city.grid_a2.pk}
    assert ids(api_client.get("/api/v1/grids/")) == expected


def test_a_worker_asking_for_another_grid_gets_404(api_client, people, city):
    api_client.force_authenticate(people.worker)
    assert api_client.get(f"/api/v1/grids/{city.grid_b1.pk}/").status_code == 404
    assert api_client.get(f"/api/v1/grids/{city.grid_a2.pk}/").status_code == 404
    assert api_client.get(f"/api/v1/grids/{city.community_a.pk}/").status_code == 404
    own = api_client.get(f"/api/v1/grids/{city.grid_a1.pk}/")
    assert own.status_code == 200
    assert own.json()["boundary"]["type"] == "Polygon"
    assert [w["username"] for w in own.json()["workers"]] == ["p_worker"]
    assert [h["username"] for h in own.json()["heads"]] == ["p_gridhead"]


def test_filters_are_validated(api_client, people):
    api_client.force_authenticate(people.assessor)
    response = api_client.get("/api/v1/grids/", {"kind": "PLANET"})
    assert response.status_code == 400 and "kind" in response.json()["errors"]


def test_the_grid_list_needs_an_account(api_client, city):
    response = api_client.get("/api/v1/grids/")
    assert response.status_code in (401, 403)
    assert "detail" in response.json()


def test_an_assessor_sees_all_69_demo_grids(api_client, helong):
    from hlgrid.models import User

    api_client.force_authenticate(User.objects.get(username="assessor"))
    response = api_client.get("/api/v1/grids/", {"kind": "GRID", "page_size": 100})
    assert len(response.json()["results"]) == 69 == GridNode.objects.filter(kind=NodeKind.GRID).count()
    worker = User.objects.get(username="worker")
    api_client.force_authenticate(worker)
    response = api_client.get("/api/v1/grids/", {"kind": "GRID"})
    assert [row["code"] for row in response.json()["results"]] == ["HL-01-01-01"]
