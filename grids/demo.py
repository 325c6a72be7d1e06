"""The demo city's territory and people: 3 streets, 10 communities, 69 grids, 269 workers.

Polygons are Voronoi cells (smoothed by a few Lloyd iterations) clipped to the
parent, so siblings tile their parent exactly and never overlap.
"""

from dataclasses import dataclass

import shapely
from shapely.geometry import MultiPoint, Point, Polygon
from shapely.geometry.base import BaseGeometry

from grids import geo
from grids.models import Department, GridNode, NodeKind, Post, PostKind
from hlgrid.models import User
from hlgrid.trees import tree_write

CITY_CODE = "HL"
CITY_NAME = "和龙市"

# Helong's urban area, roughly 42.52–42.56 N, 128.97–129.03 E, as an irregular outline.
CITY_OUTLINE = [
    (128.972, 42.528),
    (128.981, 42.521),
    (128.996, 42.5205),
    (129.012, 42.522),
    (129.026, 42.526),
    (129.0295, 42.536),
    (129.028, 42.548),
    (129.021, 42.5575),
    (129.004, 42.5595),
    (128.988, 42.558),
    (128.975, 42.551),
    (128.9705, 42.539),
    (128.972, 42.528),
]

# street -> [(community, number of grids)]: 10 communities, 69 grids.
STREETS = [
    ("文化街道", [("青龙社区", 7), ("文化社区", 7), ("和平社区", 7), ("龙城社区", 7)]),
    ("光明街道", [("光明社区", 7), ("新兴社区", 7), ("南山社区", 7)]),
    ("民惠街道", [("民惠社区", 7), ("长安社区", 6), ("东城社区", 7)]),
]
TOTAL_WORKERS = 269

DEPARTMENTS = [
    ("CG", "城管局"),
    ("MZ", "民政局"),
    ("CL", "残联"),
    ("ZJ", "住建局"),
    ("WJ", "卫健局"),
    ("GA", "公安局"),
    ("JY", "教育局"),
    ("RS", "人社局"),
    ("SW", "水务局"),
    ("HB", "生态环境局"),
    ("SJ", "市场监管局"),
    ("GD", "供电公司"),
]


def partition(region: Polygon, count: int, rng, iterations: int = 6) -> list[Polygon]:
    """Split `region` into `count` cells that tile it, ordered west to east then north to south."""
    min_x, min_y, max_x, max_y = region.bounds
    seeds: list[Point] = []
    while len(seeds) < count:
        p = Point(rng.uniform(min_x, max_x), rng.uniform(min_y, max_y))
        if region.contains(p):
            seeds.append(p)
    cells: list[Polygon] = []
    for _ in range(iterations + 1):
        diagram = shapely.voronoi_polygons(MultiPoint(seeds), extend_to=region.envelope.buffer(0.01))
        by_seed = []
        for seed in seeds:
            cell = next(c for c in diagram.geoms if c.covers(seed))
            clipped = cell.intersection(region)
            if clipped.geom_type != "Polygon":  # keep the largest piece of a rare split cell
                clipped = max(getattr(clipped, "geoms", [clipped]), key=lambda g: g.area)
            by_seed.append(clipped)
        cells = by_seed
        seeds = [c.centroid if c.contains(c.centroid) else c.representative_point() for c in cells]
    # Clip again against the region so rounding never pushes a cell outside its parent.
    return sorted(cells, key=lambda c: (round(-c.centroid.y, 3), c.centroid.x))


@dataclass
class PlannedNode:
    kind: str
    code: str
    name: str
    parent_code: str | None
    boundary: dict
    geometry: BaseGeometry


def plan_territory(rng) -> list[PlannedNode]:
    """The demo territory as data, parents before children; a pure function of `rng`."""
    plan: list[PlannedNode] = []

    def add(kind, code, name, parent, polygon) -> PlannedNode:
        boundary = geo.to_geojson(polygon)
        node = PlannedNode(
            kind, code, name, parent.code if parent else None, boundary, geo.parse_boundary(boundary)
        )
        plan.append(node)
        return node

    city = add(NodeKind.CITY, CITY_CODE, CITY_NAME, None, Polygon(CITY_OUTLINE))
    street_cells = sorted(partition(city.geometry, len(STREETS), rng), key=lambda c: c.centroid.x)
    streets = [  # 文化 west, 光明 middle, 民惠 east
        (add(NodeKind.STREET, f"{CITY_CODE}-{i:02d}", name, city, cell), specs)
        for i, ((name, specs), cell) in enumerate(zip(STREETS, street_cells), 1)
    ]
    communities = []
    for street, specs in streets:
        cells = partition(street.geometry, len(specs), rng)
        for i, ((name, grid_count), cell) in enumerate(zip(specs, cells), 1):
            community = add(
                NodeKind.COMMUNITY, f"{street.code}-{i:02d}", name, street, cell.intersection(street.geometry)
            )
            communities.append((community, grid_count))
    for community, grid_count in communities:
        for i, cell in enumerate(partition(community.geometry, grid_count, rng), 1):
            add(
                NodeKind.GRID,
                f"{community.code}-{i:02d}",
                f"{community.name}第{i}网格",
                community,
                cell.intersection(community.geometry),
            )
    _check_polygons(plan)
    return plan


def _check_polygons(plan: list[PlannedNode]) -> None:
    """The same checks the tree service applies to one node, applied to the whole plan."""
    by_code = {node.code: node for node in plan}
    siblings: dict[str, list[tuple[str, BaseGeometry]]] = {}
    for node in plan:
        if node.parent_code is None:
            continue
        geo.check_inside(node.geometry, by_code[node.parent_code].geometry)
        siblings.setdefault(node.parent_code, []).append((node.name, node.geometry))
    for group in siblings.values():
        for i, (_name, geometry) in enumerate(group):
            geo.check_no_overlap(geometry, group[i + 1 :])


def load(ctx) -> None:
    plan = plan_territory(ctx.rng)
    with tree_write("grids"):
        # Bulk inserts level by level (children need their parent's id), then one rebuild.
        saved: dict[str, GridNode] = {}
        for kind in (NodeKind.CITY, NodeKind.STREET, NodeKind.COMMUNITY, NodeKind.GRID):
            level = [
                GridNode(
                    kind=node.kind,
                    code=node.code,
                    name=node.name,
                    parent=saved.get(node.parent_code),
                    boundary=node.boundary,
                    lft=0,
                    rght=0,
                    tree_id=0,
                    level=0,
                    **geo.summary(node.geometry),
                )
                for node in plan
                if node.kind == kind
            ]
            for node in GridNode.objects.bulk_create(level):
                saved[node.code] = node
        GridNode.objects.rebuild()

    grid_nodes = list(GridNode.objects.filter(kind=NodeKind.GRID).order_by("code"))
    ctx.data["city"] = GridNode.objects.get(code=CITY_CODE)
    ctx.data["streets"] = list(GridNode.objects.filter(kind=NodeKind.STREET).order_by("code"))
    ctx.data["communities"] = list(GridNode.objects.filter(kind=NodeKind.COMMUNITY).order_by("code"))
    ctx.data["grids"] = grid_nodes
    _load_people(ctx)
    ctx.log(
        f"    {len(ctx.data['streets'])} streets, {len(ctx.data['communities'])} communities, "
        f"{len(grid_nodes)} grids, {TOTAL_WORKERS} workers"
    )


def _user(ctx, username: str, name: str, **extra) -> User:
    return User(username=username, name=name, password=ctx.password_hash, **extra)


def _load_people(ctx) -> None:
    city = ctx.data["city"]
    streets, communities, grids = ctx.data["streets"], ctx.data["communities"], ctx.data["grids"]

    departments = Department.objects.bulk_create(
        [
            Department(city=city, code=code, name=name, phone=f"0433-{4200000 + i * 111}")
            for i, (code, name) in enumerate(DEPARTMENTS)
        ]
    )
    ctx.data["departments"] = departments

    users: list[User] = []
    posts: list[tuple[User, str, GridNode, Department | None]] = []

    def person(username, node, kind, department=None, **extra):
        if kind in (PostKind.WORKER, PostKind.HEAD, PostKind.OFFICIAL):
            # The post's work phone, on the residents' 联心卡 (numbered, not drawn: ctx.rng unchanged).
            extra.setdefault("phone", f"1390433{len(users):04d}")
        user = _user(ctx, username, ctx.person_name(), **extra)
        users.append(user)
        posts.append((user, kind, node, department))
        return user

    admin = _user(ctx, "admin", "系统管理员", is_staff=True, is_superuser=True)
    users.append(admin)
    posts.append((admin, PostKind.ADMIN, city, None))
    person("assessor", city, PostKind.ASSESSOR)
    for i, street in enumerate(streets):
        person(f"sh{i + 1:02d}", street, PostKind.HEAD)
        person("official" if i == 0 else f"official{i + 1}", street, PostKind.OFFICIAL)
    for i, community in enumerate(communities):
        person(f"rh{i + 1:02d}", community, PostKind.HEAD)
    for i, department in enumerate(departments):
        person("dept" if i == 0 else f"dept{i + 1:02d}", city, PostKind.DEPARTMENT, department)

    # 269 workers over 69 grids: four in most grids, three in the last few.
    per_grid = [TOTAL_WORKERS // len(grids)] * len(grids)
    for i in range(TOTAL_WORKERS - sum(per_grid)):
        per_grid[i] += 1
    number = 0
    for g_index, (grid, count) in enumerate(zip(grids, per_grid)):
        person("gridhead" if g_index == 0 else f"gh{g_index + 1:02d}", grid, PostKind.HEAD)
        for _ in range(count):
            number += 1
            person("worker" if number == 1 else f"w{number:03d}", grid, PostKind.WORKER)

    for user in users:
        user.stamp_phone_hash()
    User.objects.bulk_create(users)
    by_name = dict(
        User.objects.filter(username__in=[u.username for u in users]).values_list("username", "pk")
    )
    Post.objects.bulk_create(
        [
            Post(user_id=by_name[user.username], kind=kind, node=node, department=department)
            for user, kind, node, department in posts
        ]
    )
    workers: dict[int, list[int]] = {}
    for node_id, user_id in (
        Post.objects.filter(kind=PostKind.WORKER).values_list("node_id", "user_id").order_by("user_id")
    ):
        workers.setdefault(node_id, []).append(user_id)
    ctx.data["workers_by_grid"] = workers
