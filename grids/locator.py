"""Which GRID contains a point: an STRtree over the grid polygons.

The index is built once per process and rebuilt when the grid tree's version
stamp (hlgrid.TreeLock "grids", bumped by every tree write in any process)
changes, so a worker process never routes with a stale map.
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
_cached: dict = {"version": None, "locator": None}


def _build_from_database() -> GridLocator:
    from grids.geo import parse_boundary
    from grids.models import GridNode, NodeKind

    rows = (
        GridNode.objects.filter(kind=NodeKind.GRID, boundary__isnull=False)
        .values_list("id", "code", "name", "boundary")
        .order_by("code")
    )
    return GridLocator(
        [(LocatedGrid(id=pk, code=code, name=name), parse_boundary(b)) for pk, code, name, b in rows]
    )


def get_locator() -> GridLocator:
    """The process's locator, rebuilt if any process changed the tree since it was built."""
    from hlgrid.trees import tree_version

    version = tree_version("grids")
    with _lock:
        if _cached["locator"] is None or _cached["version"] != version:
            _cached["locator"] = _build_from_database()
            _cached["version"] = version
        return _cached["locator"]


def forget() -> None:
    """Drop this process's locator; the next lookup rebuilds it.

    For a database replaced underneath the process (a test restoring a snapshot, a restore
    from backup) whose tree version may repeat a number the cache has already seen.
    """
    with _lock:
        _cached["locator"] = None
        _cached["version"] = None


def locate(lat: float, lng: float) -> LocatedGrid | None:
    return get_locator().locate(lng, lat)
