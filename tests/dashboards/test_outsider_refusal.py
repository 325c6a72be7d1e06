"""Someone whose posts are elsewhere gets the same refusal (404) for a node's dashboard
through the pages, the API and the selector call: the outsider (a worker of grid B-1)
and street A."""

import pytest
from django.http import Http404

from dashboards import selectors

pytestmark = pytest.mark.django_db

API_SUFFIXES = ("", "children/", "lights/", "trends/", "map/")


def test_the_outsider_gets_404_for_another_streets_dashboard(city, people, client, api_client):
    street_a = city.street_a
    client.force_login(people.outsider)
    for url in (f"/dashboards/{street_a.pk}/", f"/dashboards/{street_a.pk}/wall/",
                f"/dashboards/{street_a.pk}/children.xlsx"):  # fmt: skip
        assert client.get(url).status_code == 404, url

    api_client.force_authenticate(people.outsider)
    for suffix in API_SUFFIXES:
        response = api_client.get(f"/api/v1/dashboard/{street_a.pk}/{suffix}")
        assert response.status_code == 404, suffix
        assert set(response.json()) == {"detail", "errors"}

    with pytest.raises(Http404):
        selectors.node_get(user=people.outsider, pk=street_a.pk)


def test_the_outsider_sees_its_own_grids_dashboard(city, people, client, api_client):
    own = city.grid_b1
    client.force_login(people.outsider)
    assert client.get(f"/dashboards/{own.pk}/").status_code == 200
    api_client.force_authenticate(people.outsider)
    assert api_client.get(f"/api/v1/dashboard/{own.pk}/").status_code == 200
    assert selectors.node_get(user=people.outsider, pk=own.pk) == own


def test_a_node_that_does_not_exist_looks_the_same(people, api_client):
    api_client.force_authenticate(people.outsider)
    assert api_client.get("/api/v1/dashboard/999999/").status_code == 404
    with pytest.raises(Http404):
        selectors.node_get(user=people.outsider, pk=999999)
