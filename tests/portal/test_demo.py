import io

import pytest
from django.core.management import call_command

from grids.models import Department, GridNode, NodeKind, Post, PostKind
from hlgrid.models import User

pytestmark = pytest.mark.django_db


def load():
    out = io.StringIO()
    call_command("load_helong_demo", stdout=out)
    return out.getvalue()


def test_the_demo_city_has_helongs_numbers(helong):
    output = helong
    counts = {kind: GridNode.objects.filter(kind=kind).count() for kind in NodeKind.values}
    assert counts == {"CITY": 1, "STREET": 3, "COMMUNITY": 10, "GRID": 69}
    assert list(
        GridNode.objects.filter(kind=NodeKind.STREET).order_by("code").values_list("name", flat=True)
    ) == [
        "文化街道",
        "光明街道",
        "民惠街道",
    ]
    workers = Post.objects.filter(kind=PostKind.WORKER, is_active=True)
    assert workers.values("user").distinct().count() == 269
    assert set(workers.values_list("node__kind", flat=True)) == {NodeKind.GRID}
    assert workers.values("node").distinct().count() == 69  # every grid has workers
    heads = Post.objects.filter(kind=PostKind.HEAD)
    assert heads.filter(node__kind=NodeKind.STREET).count() == 3
    assert heads.filter(node__kind=NodeKind.COMMUNITY).count() == 10
    assert heads.filter(node__kind=NodeKind.GRID).count() == 69
    assert Department.objects.filter(name__in=["城管局", "民政局", "残联", "住建局"]).count() == 4
    for account in ("admin", "worker", "gridhead", "official", "dept", "assessor"):
        assert account in output


def test_the_demo_accounts_hold_the_documented_posts(helong):
    first_grid = GridNode.objects.filter(kind=NodeKind.GRID).order_by("code").first()
    assert first_grid.get_ancestors().filter(name="文化街道").exists()
    assert Post.objects.get(user__username="worker").node == first_grid
    assert Post.objects.get(user__username="gridhead", kind=PostKind.HEAD).node == first_grid
    official = Post.objects.get(user__username="official")
    assert (official.kind, official.node.name) == (PostKind.OFFICIAL, "文化街道")
    assert Post.objects.get(user__username="dept").department.name == "城管局"
    assert Post.objects.get(user__username="assessor").node.kind == NodeKind.CITY
    assert User.objects.get(username="admin").is_superuser
    assert User.objects.get(username="worker").check_password("hlgrid-demo")


def test_loading_twice_leaves_one_city(helong):
    output = load()
    assert "already loaded" in output
    assert GridNode.objects.filter(kind=NodeKind.CITY).count() == 1
    assert GridNode.objects.count() == 83


def test_the_demo_territory_is_deterministic():
    import random

    from grids.demo import plan_territory

    def snapshot(seed):
        return [(n.code, n.name, n.parent_code, n.boundary) for n in plan_territory(random.Random(seed))]

    assert snapshot(2026) == snapshot(2026)
    assert snapshot(2026) != snapshot(7)


def test_the_demo_is_loaded_with_the_default_seed_as_planned(helong):
    import random

    from grids.demo import plan_territory

    planned = {n.code: n.boundary for n in plan_territory(random.Random(2026))}
    assert dict(GridNode.objects.values_list("code", "boundary")) == planned


def test_demo_polygons_tile_the_city_without_overlaps(helong):
    from shapely.ops import unary_union

    from grids.geo import parse_boundary

    city = parse_boundary(GridNode.objects.get(kind=NodeKind.CITY).boundary)
    grids = [parse_boundary(g.boundary) for g in GridNode.objects.filter(kind=NodeKind.GRID)]
    assert sum(g.area for g in grids) == pytest.approx(city.area, rel=1e-5)
    assert unary_union(grids).area == pytest.approx(city.area, rel=1e-5)
    min_lng, min_lat, max_lng, max_lat = city.bounds
    assert 128.96 < min_lng < max_lng < 129.04 and 42.51 < min_lat < max_lat < 42.57
