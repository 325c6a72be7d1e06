"""An official redraws grids in the browser: a drawn grid that overlaps a neighbour is refused,
a corrected GeoJSON is checked and saved, and routing finds a point in the new grid at once."""

import json

import pytest
import shapely
from shapely.geometry import box, shape

from grids import geo
from grids.models import GridNode, NodeKind, Post, PostKind
from tests.e2e.conftest import login, screenshot

pytestmark = pytest.mark.e2e


def test_an_official_draws_a_grid_sees_the_overlap_refused_fixes_it_and_routing_finds_it(
    desktop, live_server, demo_city
):
    street = Post.objects.get(user__username="official", kind=PostKind.OFFICIAL, is_active=True).node
    community = GridNode.objects.filter(parent=street, kind=NodeKind.COMMUNITY).order_by("code").first()
    errors = []
    desktop.on("pageerror", lambda error: errors.append(str(error)))
    login(desktop, live_server, "official")
    desktop.goto(f"{live_server.url}/grids/{community.pk}/")
    desktop.get_by_test_id("open-map-editor").click()
    desktop.wait_for_url(f"{live_server.url}/grids/{community.pk}/edit-map/")
    map_box = desktop.get_by_test_id("map-editor")
    desktop.locator("#hl-map-editor path.leaflet-interactive").nth(1).wait_for()

    # Draw a large square in the middle of the community: it covers parts of several grids.
    new_code = f"{community.code}-99"
    desktop.get_by_test_id("new-code").fill(new_code)
    desktop.get_by_test_id("new-name").fill("新建网格")
    desktop.get_by_test_id("draw").click()
    bounds = map_box.bounding_box()
    cx, cy = bounds["x"] + bounds["width"] / 2, bounds["y"] + bounds["height"] / 2
    corners = [(-60, -60), (60, -60), (60, 60), (-60, 60), (-60, -60)]
    for dx, dy in corners:
        desktop.mouse.click(cx + dx, cy + dy)
        desktop.wait_for_timeout(150)
    desktop.get_by_test_id("check").click()
    refused = desktop.get_by_test_id("plan-refused")
    refused.wait_for()
    assert "重叠" in refused.inner_text()  # "overlaps" in Chinese
    screenshot(desktop, "map-editor-overlap-refused")

    # The fix: carve the new grid out of one grid only, and give that grid the rest (a GeoJSON file).
    grid = GridNode.objects.filter(parent=community, kind=NodeKind.GRID).order_by("code").first()
    old = shape(grid.boundary)
    centre = old.representative_point()
    carved = box(centre.x - 0.0008, centre.y - 0.0006, centre.x + 0.0008, centre.y + 0.0006).intersection(old)
    rest = shapely.make_valid(old.difference(carved))
    corrected = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"code": grid.code, "name": grid.name},
                "geometry": geo.to_geojson(rest),
            },
            {
                "type": "Feature",
                "properties": {"code": new_code, "name": "新建网格"},
                "geometry": geo.to_geojson(carved),
            },
        ],
    }
    desktop.get_by_test_id("upload").set_input_files(
        files=[
            {
                "name": "fix.geojson",
                "mimeType": "application/geo+json",
                "buffer": json.dumps(corrected).encode(),
            }
        ]
    )
    desktop.get_by_test_id("plan-ok").wait_for()
    desktop.get_by_test_id("save").click()
    desktop.get_by_test_id("plan-saved").wait_for()
    screenshot(desktop, "map-editor-saved")

    point = carved.representative_point()
    located = desktop.request.get(f"{live_server.url}/api/v1/grids/locate/?lat={point.y}&lng={point.x}")
    assert located.status == 200
    assert located.json()["code"] == new_code
    assert errors == []
    created = GridNode.objects.get(code=new_code)
    assert (created.parent_id, created.name) == (community.pk, "新建网格")
