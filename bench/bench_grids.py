"""Point routing among the demo grids and a synthetic province; scoped list query counts.

Figures: points routed per second (one at a time as the API does, and vectorised),
among the 69 demo grids and among a synthetic province of 10,000 × scale grids,
and the SQL queries of the scoped grid list at two data sizes (they must match).
"""

import random

from bench.common import count_queries, load_demo, report, timed


def _route(locator, points, label: str) -> None:
    seconds, _ = timed(lambda: [locator.locate(x, y) for x, y in points], repeat=3)
    report("routing", f"{label}: one point at a time", f"{len(points) / seconds:,.0f}", "points/s")
    lngs, lats = zip(*points)
    seconds, _ = timed(lambda: locator.locate_many(lngs, lats), repeat=3)
    report("routing", f"{label}: vectorised (locate_many)", f"{len(points) / seconds:,.0f}", "points/s")


def _synthetic_province(count: int):
    """`count` square grids in a square around Helong (0.005° cells)."""
    from shapely.geometry import box

    from grids.locator import GridLocator, LocatedGrid

    side = int(count**0.5)
    cell = 0.005
    items = [
        (
            LocatedGrid(id=i * side + j, code=f"P{i:04d}{j:04d}", name=""),
            box(128.0 + i * cell, 42.0 + j * cell, 128.0 + (i + 1) * cell, 42.0 + (j + 1) * cell),
        )
        for i in range(side)
        for j in range(side)
    ]
    return GridLocator(items), (128.0, 42.0, 128.0 + side * cell, 42.0 + side * cell)


def run(*, scale: int) -> None:
    from grids.locator import get_locator

    rng = random.Random(7)
    load_demo()
    locator = get_locator()
    points = [(rng.uniform(128.97, 129.03), rng.uniform(42.52, 42.56)) for _ in range(20_000)]
    inside = sum(1 for p in locator.locate_many(*zip(*points)) if p)
    report("routing", "demo city grids", len(locator))
    report("routing", "share of random points inside a grid", f"{inside / len(points):.0%}")
    _route(locator, points, "69 demo grids")

    province, (x0, y0, x1, y1) = _synthetic_province(10_000 * scale)
    report("routing", "synthetic province grids", f"{len(province):,}")
    points = [(rng.uniform(x0, x1), rng.uniform(y0, y1)) for _ in range(20_000)]
    _route(province, points, f"{len(province):,} grids")

    _scoped_list_queries()


def _scoped_list_queries() -> None:
    from rest_framework.test import APIClient

    from grids import services
    from grids.access import SYSTEM
    from grids.models import GridNode, NodeKind, PostKind
    from hlgrid.models import User

    client = APIClient()
    client.force_authenticate(User.objects.get(username="assessor"))
    small = count_queries(lambda: client.get("/api/v1/grids/", {"page_size": 100}))
    rows_small = GridNode.objects.count()
    city = GridNode.objects.get(kind=NodeKind.CITY)
    for i in range(200):
        node = services.gridnode_create(
            actor=SYSTEM, parent=city, kind=NodeKind.STREET, code=f"BENCH-{i:03d}", name=f"街{i}"
        )
        user = User.objects.create(username=f"bench-head-{i}")
        services.post_assign(actor=SYSTEM, user=user, kind=PostKind.HEAD, node=node)
    large = count_queries(lambda: client.get("/api/v1/grids/", {"page_size": 500}))
    rows_large = GridNode.objects.count()
    report("queries", f"GET /api/v1/grids/ (assessor) over {rows_small} nodes", small, "queries")
    report("queries", f"GET /api/v1/grids/ (assessor) over {rows_large} nodes", large, "queries")
