"""A building's address and point: given through the API, the point must lie inside its grid."""

import pytest

from residents.models import Building
from tests.petitions.factories import POINT_A1, POINT_B1

pytestmark = pytest.mark.django_db


def test_a_building_takes_an_address_and_a_point_inside_its_own_grid(api_client, people, city):
    api_client.force_authenticate(people.worker)
    body = {"grid": city.grid_a1.pk, "number": "7", "address": "光明路12号"}
    created = api_client.post(
        "/api/v1/buildings/", {**body, "latitude": POINT_A1[0], "longitude": POINT_A1[1]}, format="json"
    )
    assert created.status_code == 201, created.content
    assert created.json()["address"] == "光明路12号" and created.json()["latitude"] == POINT_A1[0]
    elsewhere = api_client.post(
        "/api/v1/buildings/",
        {**body, "number": "8", "latitude": POINT_B1[0], "longitude": POINT_B1[1]},
        format="json",
    )
    assert elsewhere.status_code == 400 and "latitude" in elsewhere.json()["errors"]
    half = api_client.post(
        "/api/v1/buildings/", {**body, "number": "9", "latitude": POINT_A1[0]}, format="json"
    )
    assert half.status_code == 400
    assert list(Building.objects.values_list("number", flat=True)) == ["7"]
