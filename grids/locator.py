"""Which GRID contains a point: an STRtree over the grid polygons, one per city.

Each city (a CITY root: one MPTT tree) has its own index, built once per process and rebuilt
when that city's stamp (hlgrid.TreeLock "grids:<tree_id>", bumped by every tree write of the
city in any process: grids.services) changes, so a worker process never routes with a stale
map and one city's boundary edit does not rebuild another's. A change of the tree's writer
lock "grids" that stamped no city (a bulk load such as the demo's) rebuilds them all.
"""

import threading
from dataclasses import dataclass

import numpy as np
import shapely
from shapely import STRtree
from shapely.geometry.base import BaseGeometry
from shapely.prepared import prep


@dataclass(frozen=True)
class LocatedGrid:
    id: int
    code: str
    name: str
    tree_id: int = 0  # its city's tree (grids.cities)
    city_id: int = 0  # its city's node (the tree's root)
    # The ids of the grid and of every node above it, root last: what a change in the grid
    # invalidates (hlgrid.changes), known without asking the database.
    path: tuple[int, ...] = ()


class GridLocator:
    """An immutable point-in-polygon index. Items: (LocatedGrid, geometry)."""

    def __init__(self, items: list[tuple[LocatedGrid, BaseGeometry]]):
        # Sorted by code so that a point on a shared border always resolves to the
        # same grid: the one with the smallest code among those that cover it.
        items = sorted(items, key=lambda item: item[0].code)
        self.grids = [grid for grid, _ in items]
        self.geometries = np.array([geometry for _, geometry in items], dtype=object)
        self.tree = STRtree(self.geometries)
        self._prepared = [prep(g) for g in self.geometries]

    def __len__(self) -> int:
        return len(self.grids)

    def locate(self, lng: float, lat: float) -> LocatedGrid | None:
        point = shapely.Point(lng, lat)
        candidates = self.tree.query(point)
        hits = [int(i) for i in candidates if self._prepared[i].covers(point)]
        if not hits:
            return None
        return self.grids[min(hits)]

    def locate_many(self, lngs, lats) -> list[LocatedGrid | None]:
        """Vectorised routing of many points (same answers as locate())."""
        points = shapely.points(np.asarray(lngs, dtype=float), np.asarray(lats, dtype=float))
        point_idx, tree_idx = self.tree.query(points, predicate="covered_by")
        best = np.full(len(points), -1, dtype=np.int64)
        # Smallest tree index per point = smallest code (items are code-sorted).
        order = np.lexsort((tree_idx, point_idx))
        point_idx, tree_idx = point_idx[order], tree_idx[order]
        first = np.ones(len(point_idx), dtype=bool)
        first[1:] = point_idx[1:] != point_idx[:-1]
        best[point_idx[first]] = tree_idx[first]
        return [self.grids[i] if i >= 0 else None for i in best]


_lock = threading.Lock()
_cached: dict = {"version": None, "stamps": {}, "cities": {}}
STAMP = "grids:"


class CityLocators:
    """The cities' indexes together: a point is routed by the city whose grid covers it (the
    smallest code when two cities' grids meet on a border)."""

    def __init__(self, by_city: dict[int, GridLocator]):
        self.by_city = by_city

    def __len__(self) -> int:
        return sum(len(locator) for locator in self.by_city.values())

    def locate(self, lng: float, lat: float) -> LocatedGrid | None:
        hits = [found for locator in self.by_city.values() if (found := locator.locate(lng, lat))]
        return min(hits, key=lambda grid: grid.code) if hits else None

    def locate_many(self, lngs, lats) -> list[LocatedGrid | None]:
        lngs, lats = list(lngs), list(lats)
        best: list[LocatedGrid | None] = [None] * len(lngs)
        for locator in self.by_city.values():
            for i, found in enumerate(locator.locate_many(lngs, lats)):
                if found is not None and (best[i] is None or found.code < best[i].code):
                    best[i] = found
        return best


def city_stamp(tree_id: int) -> str:
    return f"{STAMP}{tree_id}"


def _build(tree_ids: set[int] | None = None) -> dict[int, GridLocator]:
    """The indexes of `tree_ids` (every city's when None), from the database."""
    from grids.geo import parse_boundary
    from grids.models import GridNode, NodeKind

    rows = GridNode.objects.filter(kind=NodeKind.GRID, boundary__isnull=False)
    nodes = GridNode.objects.all()
    if tree_ids is not None:
        rows = rows.filter(tree_id__in=tree_ids)
        nodes = nodes.filter(tree_id__in=tree_ids)
    # Every node's parent (no polygon: a few columns of the cities' small trees).
    parent_of = dict(nodes.values_list("id", "parent_id"))

    def path(pk: int) -> tuple[int, ...]:
        out = [pk]
        while (above := parent_of.get(out[-1])) is not None:
            out.append(above)
        return tuple(out)

    items: dict[int, list] = {tree_id: [] for tree_id in tree_ids or ()}
    for pk, code, name, tree_id, boundary in rows.values_list("id", "code", "name", "tree_id", "boundary"):
        ids = path(pk)
        grid = LocatedGrid(id=pk, code=code, name=name, tree_id=tree_id, city_id=ids[-1], path=ids)
        items.setdefault(tree_id, []).append((grid, parse_boundary(boundary)))
    return {tree_id: GridLocator(found) for tree_id, found in items.items()}


STAMPS = {"names": ("grids",), "prefixes": (STAMP,)}


def _versions(read: dict[str, int] | None = None) -> tuple[int, dict[int, int]]:
    """The writer lock's version and every city's stamp: from `read` (hlgrid.trees.tree_stamps
    with at least STAMPS, when a caller reads other stamps in the same query), else one query."""
    from hlgrid.trees import tree_stamps

    if read is None:
        read = tree_stamps(**STAMPS)
    version, stamps = 0, {}
    for name, value in read.items():
        if not name.startswith(STAMP) and name != "grids":
            continue
        if name == "grids":
            version = value
        else:
            stamps[int(name.removeprefix(STAMP))] = value
    return version, stamps


def get_locator(*, stamps: dict[str, int] | None = None) -> CityLocators:
    """The process's indexes, each city's rebuilt if any process changed that city since
    (`stamps`: the versions read by the caller, see _versions)."""
    version, stamps = _versions(stamps)
    with _lock:
        seen = _cached["stamps"]
        changed = {t for t in seen.keys() | stamps.keys() if seen.get(t) != stamps.get(t)}
        if _cached["version"] is None or (version != _cached["version"] and not changed):
            _cached["cities"] = _build()
        elif changed:
            rebuilt = _build(changed)
            _cached["cities"] = {
                **{t: index for t, index in _cached["cities"].items() if t not in changed},
                **{t: index for t, index in rebuilt.items() if len(index)},
            }
        _cached["version"], _cached["stamps"] = version, stamps
        return CityLocators(_cached["cities"])


def forget() -> None:
    """Drop this process's indexes; the next lookup rebuilds them.

    For a database replaced underneath the process (a test restoring a snapshot, a restore
    from backup) whose tree versions may repeat numbers the cache has already seen.
    """
    with _lock:
        _cached["version"] = None
        _cached["stamps"] = {}
        _cached["cities"] = {}


def locate(lat: float, lng: float, *, stamps: dict[str, int] | None = None) -> LocatedGrid | None:
    return get_locator(stamps=stamps).locate(lng, lat)
