import pytest

from grids import services
from grids.access import SYSTEM
from grids.geo import parse_boundary
from grids.locator import GridLocator, LocatedGrid, get_locator, locate
from grids.models import GridNode, NodeKind

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(helong):
    """The shared demo city (tests/demo.py): these tests only read it."""


def test_every_demo_grid_locates_a_point_inside_it(demo):
    grids = list(GridNode.objects.filter(kind=NodeKind.GRID))
    assert len(grids) == 69
    for grid in grids:
        point = parse_boundary(grid.boundary).representative_point()
        found = locate(point.y, point.x)
        assert found is not None and found.id == grid.pk, grid.code


def test_vectorised_routing_agrees_with_single_points(demo):
    locator = get_locator()
    grids = list(GridNode.objects.filter(kind=NodeKind.GRID))
    points = [parse_boundary(g.boundary).representative_point() for g in grids] + [
        parse_boundary(grids[0].boundary).exterior.coords[0]
    ]
    lngs = [p.x if hasattr(p, "x") else p[0] for p in points]
    lats = [p.y if hasattr(p, "y") else p[1] for p in points]
    assert locator.locate_many(lngs, lats) == [locator.locate(x, y) for x, y in zip(lngs, lats)]


def test_a_point_outside_every_grid_is_outside_the_service_area(demo):
    assert locate(39.9, 116.4) is None  # Beijing
    assert locate(42.5, 128.9) is None  # just west of Helong


def test_a_point_on_a_shared_border_resolves_to_the_smaller_code(city):
    # grid A-1 (T-A-1-1) and A-2 (T-A-1-2) share the line lat = 42.51
    assert locate(42.51, 129.01).code == "T-A-1-1"
    # the corner shared by four grids
    assert locate(42.51, 129.02).code == "T-A-1-1"


def test_the_index_is_rebuilt_when_the_tree_changes(city):
    assert locate(42.515, 129.03).code == "T-B-1-2"
    services.gridnode_update(actor=SYSTEM, node=city.grid_b2, code="T-B-1-9")
    assert locate(42.515, 129.03).code == "T-B-1-9"


def test_a_locator_over_many_synthetic_grids():
    from shapely.geometry import box

    items = [
        (LocatedGrid(id=i * 100 + j, code=f"{i:03d}{j:03d}", name=""), box(i, j, i + 1, j + 1))
        for i in range(100)
        for j in range(100)
    ]
    locator = GridLocator(items)
    assert len(locator) == 10_000
    assert locator.locate(42.5, 17.5).id == 42 * 100 + 17
    assert locator.locate(200, 200) is None
