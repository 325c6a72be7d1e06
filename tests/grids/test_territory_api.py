"""The map editor's API and pages: scoping (404 outside, 403 inside without the post), the plan,
the apply, the tree's shape (create, rename, move, delete), the GeoJSON download."""

import json

import pytest
from django.test import Client
from django.utils import translation

from grids.models import GridNode
from tests.factories import rect

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def fc(*features, **extra):
    return {"type": "FeatureCollection", "features": list(features), **extra}


def feat(code, geometry, name=None):
    props = {"code": code} | ({"name": name} if name else {})
    return {"type": "Feature", "properties": props, "geometry": geometry}


def geometry_url(node, dry=False):
    return f"/api/v1/grids/{node.pk}/geometry/" + ("?dry_run=1" if dry else "")


def test_the_dry_run_answers_the_plan_and_changes_nothing(api_client, people, city):
    api_client.force_authenticate(people.official)
    before = GridNode.objects.get(pk=city.grid_a1.pk).boundary
    body = fc(feat("T-A-1-1", rect(129.0, 42.5, 129.02, 42.515)))
    response = api_client.post(geometry_url(city.community_a, dry=True), body, format="json")
    assert response.status_code == 200
    plan = response.json()
    assert plan["ok"] is False and plan["applied"] is False
    assert plan["errors"][0]["code"] == "T-A-1-1" and "甲二网格" in plan["errors"][0]["message"]
    assert GridNode.objects.get(pk=city.grid_a1.pk).boundary == before


def test_an_apply_with_errors_is_400_with_every_problem(api_client, people, city):
    api_client.force_authenticate(people.official)
    body = fc(feat("T-A-1-1", rect(129.0, 42.5, 129.02, 42.515)))
    response = api_client.post(geometry_url(city.community_a), body, format="json")
    assert response.status_code == 400
    assert "T-A-1-1" in response.json()["errors"]["features"][0]


def test_a_saved_grid_is_located_through_the_api_at_once(api_client, people, city):
    api_client.force_authenticate(people.official)
    body = fc(
        feat("T-A-1-1", rect(129.0, 42.5, 129.01, 42.51)),
        feat("T-A-1-7", rect(129.01, 42.5, 129.02, 42.51), name="甲七网格"),
    )
    response = api_client.post(geometry_url(city.community_a), body, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["applied"] is True
    located = api_client.get("/api/v1/grids/locate/", {"lat": 42.505, "lng": 129.015}).json()
    assert located["code"] == "T-A-1-7"


def test_geometry_outside_the_scope_is_404_and_inside_without_the_post_is_403(api_client, people, city):
    body = fc(feat("T-B-1-1", rect(129.02, 42.5, 129.04, 42.51)))
    api_client.force_authenticate(people.official)
    assert api_client.post(geometry_url(city.community_b, dry=True), body, format="json").status_code == 404
    api_client.force_authenticate(people.worker)  # sees grid A-1, not the community
    assert api_client.post(geometry_url(city.community_a, dry=True), fc(), format="json").status_code == 404
    api_client.force_authenticate(people.assessor)  # sees the whole city, shapes nothing
    assert api_client.post(geometry_url(city.community_a, dry=True), fc(), format="json").status_code == 403
    assert (
        api_client.post(
            f"/api/v1/grids/{city.community_a.pk}/geometry/merge/",
            {"keep": "T-A-1-1", "absorb": "T-A-1-2"},
            format="json",
        ).status_code
        == 403
    )


def test_the_geojson_download_holds_the_subtree_with_codes_and_names(api_client, people, city):
    api_client.force_authenticate(people.official)
    data = api_client.get(f"/api/v1/grids/{city.community_a.pk}/geojson/").json()
    assert data["type"] == "FeatureCollection"
    assert [(f["properties"]["code"], f["properties"]["parent"]) for f in data["features"]] == [
        ("T-A-1", "T-A"), ("T-A-1-1", "T-A-1"), ("T-A-1-2", "T-A-1"),
    ]  # fmt: skip
    assert api_client.get(f"/api/v1/grids/{city.community_b.pk}/geojson/").status_code == 404
    page = Client()
    page.force_login(people.official)
    response = page.get(f"/grids/{city.community_a.pk}/geojson")
    assert response["Content-Disposition"] == 'attachment; filename="T-A-1.geojson"'
    assert json.loads(response.content)["features"][1]["properties"]["name"] == "甲一网格"


def test_split_and_merge_propose_a_collection_with_its_plan(api_client, people, city):
    api_client.force_authenticate(people.official)
    line = {"type": "LineString", "coordinates": [[129.01, 42.5], [129.01, 42.51]]}
    split = api_client.post(
        f"/api/v1/grids/{city.community_a.pk}/geometry/split/",
        {"code": "T-A-1-1", "line": line, "new_code": "T-A-1-8", "new_name": "甲八网格"},
        format="json",
    ).json()
    assert [f["properties"]["code"] for f in split["features"]] == ["T-A-1-1", "T-A-1-8"]
    assert split["plan"]["ok"] is True
    merge = api_client.post(
        f"/api/v1/grids/{city.community_a.pk}/geometry/merge/",
        {"keep": "T-A-1-1", "absorb": "T-A-1-2"},
        format="json",
    ).json()
    assert merge["remove"] == ["T-A-1-2"] and merge["absorb"] == {"T-A-1-2": "T-A-1-1"}
    applied = api_client.post(
        geometry_url(city.community_a),
        {k: merge[k] for k in ("type", "features", "remove", "absorb")},
        format="json",
    )
    assert applied.status_code == 200, applied.json()
    assert not GridNode.objects.filter(code="T-A-1-2").exists()


def test_create_rename_move_and_delete_a_node_through_the_api(api_client, people, city):
    api_client.force_authenticate(people.official)
    created = api_client.post(
        "/api/v1/grids/", {"parent": city.community_a.pk, "code": "T-A-1-9", "name": "新网格"}, format="json"
    )
    assert created.status_code == 201 and created.json()["kind"] == "GRID"
    pk = created.json()["id"]
    renamed = api_client.patch(f"/api/v1/grids/{pk}/", {"name": "改名网格"}, format="json")
    assert renamed.json()["name"] == "改名网格"
    assert api_client.delete(f"/api/v1/grids/{pk}/").status_code == 204
    # a community moved to another street: the official of street A may not place it under B
    moved = api_client.post(
        f"/api/v1/grids/{city.community_a.pk}/move/", {"parent": city.street_b.pk}, format="json"
    )
    assert moved.status_code == 404
    # the official may not create beside its own street
    assert (
        api_client.post(
            "/api/v1/grids/", {"parent": city.city.pk, "code": "T-C", "name": "丙"}, format="json"
        ).status_code
        == 404
    )
    assert (
        api_client.post(
            "/api/v1/grids/",
            {"parent": city.community_a.pk, "code": "T-A-1-1", "name": "重复"},
            format="json",
        ).status_code
        == 400
    )


def test_a_node_with_posts_is_not_deleted(api_client, people, city):
    api_client.force_authenticate(people.official)
    response = api_client.delete(f"/api/v1/grids/{city.grid_a1.pk}/")
    assert response.status_code == 409
    assert GridNode.objects.filter(pk=city.grid_a1.pk).exists()


def test_the_editor_page_opens_for_the_official_and_refuses_others(people, city):
    client = Client()
    client.force_login(people.official)
    response = client.get(f"/grids/{city.community_a.pk}/edit-map/")
    assert response.status_code == 200
    assert b'id="hl-map-config"' in response.content
    assert client.get(f"/grids/{city.community_b.pk}/edit-map/").status_code == 404
    assert client.get(f"/grids/{city.grid_a1.pk}/edit-map/").status_code == 404  # a grid has no children
    client.force_login(people.assessor)
    assert client.get(f"/grids/{city.community_a.pk}/edit-map/").status_code == 403
    client.force_login(people.outsider)
    assert client.get(f"/grids/{city.community_a.pk}/edit-map/").status_code == 404


def test_the_structure_page_creates_renames_moves_and_refuses_bad_input(people, city):
    client = Client()
    client.force_login(people.official)
    url = f"/grids/{city.community_a.pk}/structure/"
    assert client.get(url).status_code == 200
    response = client.post(url, {"verb": "create", "create-code": "T-A-1-1", "create-name": "重复"})
    assert response.status_code == 400 and b'data-testid="error-code"' in response.content
    assert (
        client.post(url, {"verb": "create", "create-code": "T-A-1-5", "create-name": "甲五"}).status_code
        == 302
    )
    assert GridNode.objects.get(code="T-A-1-5").parent_id == city.community_a.pk
    assert (
        client.post(url, {"verb": "rename", "rename-code": "T-A-1", "rename-name": "甲新社区"}).status_code
        == 302
    )
    assert GridNode.objects.get(pk=city.community_a.pk).name == "甲新社区"
    response = client.post(url, {"verb": "delete", "node": city.grid_a1.pk})  # has posts
    assert response.status_code == 400 and b"delete-error" in response.content
    new = GridNode.objects.get(code="T-A-1-5")
    assert client.post(url, {"verb": "delete", "node": new.pk}).status_code == 302
    assert client.post(f"/grids/{city.community_b.pk}/structure/", {"verb": "create"}).status_code == 404
    client.force_login(people.assessor)
    assert client.get(url).status_code == 403


def test_the_structure_page_moves_a_grid_to_another_community_and_refuses_one_that_does_not_fit(people, city):
    from grids import services
    from grids.access import SYSTEM

    other = services.gridnode_create(
        actor=SYSTEM, parent=city.street_a, kind="COMMUNITY", code="T-A-2", name="甲二社区"
    )
    loose = services.gridnode_create(
        actor=SYSTEM, parent=city.community_a, kind="GRID", code="T-A-1-6", name="未画网格"
    )
    client = Client()
    client.force_login(people.official)
    url = f"/grids/{city.community_a.pk}/structure/"
    assert client.post(url, {"verb": "move", "node": loose.pk, "parent": other.pk}).status_code == 302
    assert GridNode.objects.get(pk=loose.pk).parent_id == other.pk
    # a drawn grid cannot move into a community whose boundary does not hold it: nothing changes
    from tests.factories import UserFactory

    client.force_login(UserFactory(username="p_admin", is_superuser=True))
    response = client.post(url, {"verb": "move", "node": city.grid_a2.pk, "parent": city.community_b.pk})
    assert response.status_code == 400 and b"move-error" in response.content
    assert GridNode.objects.get(pk=city.grid_a2.pk).parent_id == city.community_a.pk
