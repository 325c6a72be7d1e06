"""The map editor's arithmetic: GeoJSON collections of a subtree, split and merge, the plan of a
geometry change and the points (households, petitions) that the change would put in another grid.

Apps above grids own the points: they register a *point source* in their AppConfig.ready()
(`register_point_source`), like `hlgrid.sweeps` sweepers. A source answers, for some grids, the
rows it places in them with their coordinates (`rows`), and moves rows to other grids through its
own service, with the actor (`move`). grids never imports them.

Coordinates are WGS 84 (lng, lat) as in grids.geo. Areas are reported in square metres, from
degrees² scaled at the shape's latitude (accurate enough at a city's scale).
"""

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

import shapely
import shapely.errors
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from shapely.geometry import LineString, MultiPolygon, Polygon, shape
from shapely.geometry.base import BaseGeometry
from shapely.ops import split as shapely_split
from shapely.ops import unary_union

from grids import geo
from grids.locator import GridLocator, LocatedGrid
from grids.models import CHILD_KIND, GridNode, NodeKind
from hlgrid.errors import InvalidInput

# Siblings may overlap by a sliver that hand drawing cannot avoid: at most this share of the
# smaller shape and at most this many square metres. Accepted slivers are trimmed on apply.
OVERLAP_SHARE = 0.01
OVERLAP_MAX_M2 = 50.0
# Area of a parent left uncovered by its children below which no warning is given.
UNCOVERED_MIN_M2 = 1.0
# A shape may stick out of its parent by this much (about 50 cm); the excess is trimmed.
OUTSIDE_TOLERANCE_DEG = 5e-6
MAX_FEATURES = 500
CODE_MAX = GridNode._meta.get_field("code").max_length
NAME_MAX = GridNode._meta.get_field("name").max_length
METRES_PER_DEGREE = 111_320.0


# --- the registry of point sources --------------------------------------------------------------

# A row a source places in a grid: (its id, its grid's id, lng or None, lat or None).
PointRow = tuple[int, int, float | None, float | None]


@dataclass(frozen=True)
class PointSource:
    name: str
    label: Callable[[], str]  # plural noun, e.g. "petitions" (called at display time: translated)
    rows: Callable[[list[int]], Iterable[PointRow]]
    move: Callable[..., int]  # move(*, actor, moves: {row id: new grid id}) -> rows moved


_sources: dict[str, PointSource] = {}


def register_point_source(
    name: str,
    *,
    label: Callable[[], str],
    rows: Callable[[list[int]], Iterable[PointRow]],
    move: Callable[..., int],
) -> None:
    _sources[name] = PointSource(name=name, label=label, rows=rows, move=move)


def point_sources() -> list[PointSource]:
    return list(_sources.values())


# --- measures -----------------------------------------------------------------------------------


def area_m2(geometry: BaseGeometry) -> float:
    if geometry.is_empty:
        return 0.0
    lat = geometry.centroid.y
    return geometry.area * METRES_PER_DEGREE**2 * math.cos(math.radians(lat))


def _m2_to_deg2(m2: float, lat: float) -> float:
    return m2 / (METRES_PER_DEGREE**2 * max(math.cos(math.radians(lat)), 0.01))


def _clean(geometry: BaseGeometry) -> Polygon | MultiPolygon | None:
    """The polygonal part of a geometry (a difference may leave lines and points)."""
    geometry = shapely.make_valid(geometry)
    if isinstance(geometry, (Polygon, MultiPolygon)):
        return None if geometry.is_empty else geometry
    parts = [g for g in getattr(geometry, "geoms", []) if isinstance(g, (Polygon, MultiPolygon))]
    if not parts:
        return None
    merged = unary_union(parts)
    return None if merged.is_empty else merged


# --- GeoJSON of a subtree -----------------------------------------------------------------------


def feature(node: GridNode, parent_code: str | None) -> dict:
    return {
        "type": "Feature",
        "id": node.code,
        "properties": {"code": node.code, "name": node.name, "kind": node.kind, "parent": parent_code},
        "geometry": node.boundary,
    }


def subtree_collection(node: GridNode) -> dict:
    """The node's descendants (and the node itself, as the first feature) as a FeatureCollection."""
    rows = list(
        node.get_descendants(include_self=True)
        .select_related("parent")
        .only("code", "name", "kind", "boundary", "parent__code", "tree_id", "lft", "rght", "level")
    )
    return {
        "type": "FeatureCollection",
        "properties": {"root": node.code, "name": node.name, "kind": node.kind},
        "features": [feature(n, n.parent.code if n.parent_id else None) for n in rows],
    }


# --- split and merge: they propose a collection, the plan checks it ---------------------------


def split_proposal(*, node: GridNode, child: GridNode, line, new_code: str, new_name: str) -> list[dict]:
    """Cut `child` (a child of `node`) in two along `line` (a GeoJSON LineString crossing it):
    the part holding the child's label point keeps the child, the other becomes a new node."""
    if child.parent_id != node.pk:
        raise InvalidInput.field("code", _("Only a child of this node can be split here."))
    if not child.boundary:
        raise InvalidInput.field("code", _("%(name)s has no boundary to split.") % {"name": child.name})
    if not isinstance(line, dict) or line.get("type") != "LineString":
        raise InvalidInput.field("line", _("The cut must be a GeoJSON LineString."))
    try:
        cut = shape(line)
    except (TypeError, ValueError, IndexError, KeyError, AttributeError, shapely.errors.GEOSException):
        raise InvalidInput.field("line", _("The cut's coordinates are malformed.")) from None
    if not isinstance(cut, LineString) or cut.length == 0:
        raise InvalidInput.field("line", _("The cut must be a line of at least two distinct points."))
    geometry = geo.parse_boundary(child.boundary)
    # Extend the cut a little at both ends, so a line drawn to the border does cross it.
    pieces = [p for p in shapely_split(geometry, _extend(cut, geometry)).geoms if p.area > 0]
    if len(pieces) < 2:
        raise InvalidInput.field(
            "line", _("The line must cross %(name)s from side to side.") % {"name": child.name}
        )
    anchor = shapely.Point(child.centroid_lng, child.centroid_lat) if child.centroid_lng is not None else None
    pieces.sort(key=lambda p: (not (anchor is not None and p.buffer(1e-9).covers(anchor)), -p.area))
    keep, rest = pieces[0], unary_union(pieces[1:])
    return [
        {"code": child.code, "name": child.name, "geometry": geo.to_geojson(keep)},
        {"code": new_code, "name": new_name, "geometry": geo.to_geojson(rest), "parent": node.code},
    ]


def _extend(line: LineString, geometry: BaseGeometry) -> LineString:
    coords = list(line.coords)
    minx, miny, maxx, maxy = geometry.bounds
    reach = max(maxx - minx, maxy - miny) * 0.02 + 1e-6

    def push(a, b):
        dx, dy = a[0] - b[0], a[1] - b[1]
        length = math.hypot(dx, dy) or 1.0
        return (a[0] + dx / length * reach, a[1] + dy / length * reach)

    return LineString([push(coords[0], coords[1]), *coords[1:-1], push(coords[-1], coords[-2])])


def merge_proposal(*, node: GridNode, keep: GridNode, absorb: GridNode) -> list[dict]:
    """`keep` takes `absorb`'s territory (both children of `node`); `absorb` is to be removed."""
    if keep.parent_id != node.pk or absorb.parent_id != node.pk or keep.pk == absorb.pk:
        raise InvalidInput.field("absorb", _("Merge two different children of this node."))
    shapes = [geo.parse_boundary(n.boundary) for n in (keep, absorb) if n.boundary]
    if not shapes:
        raise InvalidInput.field("absorb", _("Neither node has a boundary."))
    union = unary_union(shapes)
    if isinstance(union, MultiPolygon):  # borders that meet only within floating point: close the seam
        union = union.buffer(1e-7, join_style="mitre").buffer(-1e-7, join_style="mitre")
    union = _clean(union.simplify(0))
    return [{"code": keep.code, "name": keep.name, "geometry": geo.to_geojson(union) if union else None}]


# --- the plan -----------------------------------------------------------------------------------


@dataclass
class Item:
    """One node of the plan: an existing one redrawn/renamed, or a new one."""

    code: str
    name: str
    kind: str
    parent_code: str
    geometry: BaseGeometry | None
    node: GridNode | None = None  # None: to be created
    changed_geometry: bool = True
    trimmed_m2: float = 0.0

    @property
    def action(self) -> str:
        return "create" if self.node is None else "update"


@dataclass
class PointMove:
    source: str
    label: str
    moves: dict[int, str]  # row id -> code of its new grid
    from_grids: dict[int, int] = field(default_factory=dict)  # row id -> current grid id


@dataclass
class Plan:
    node: GridNode
    items: list[Item] = field(default_factory=list)
    removed: list[GridNode] = field(default_factory=list)
    absorbed_into: dict[int, str] = field(default_factory=dict)  # removed node id -> code taking it
    errors: list[dict] = field(default_factory=list)  # {"code": .., "message": ..}
    warnings: list[dict] = field(default_factory=list)
    points: list[PointMove] = field(default_factory=list)
    outside_points: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors

    def error(self, code: str, message: str) -> None:
        self.errors.append({"code": code, "message": str(message)})

    def warn(self, code: str, message: str) -> None:
        self.warnings.append({"code": code, "message": str(message)})

    @property
    def points_to_move(self) -> int:
        return sum(len(p.moves) for p in self.points)

    def as_dict(self) -> dict:
        return {
            "ok": self.ok,
            "node": self.node.pk,
            "errors": self.errors,
            "warnings": self.warnings,
            "changes": [
                {
                    "action": item.action,
                    "code": item.code,
                    "name": item.name,
                    "kind": item.kind,
                    "parent": item.parent_code,
                    "id": item.node.pk if item.node else None,
                    "area_m2": round(area_m2(item.geometry), 1) if item.geometry is not None else None,
                    "trimmed_m2": round(item.trimmed_m2, 1),
                }
                for item in self.items
            ],
            "removed": [{"id": n.pk, "code": n.code, "name": n.name} for n in self.removed],
            "points": [
                {"source": p.source, "label": p.label, "count": len(p.moves)} for p in self.points if p.moves
            ],
            "points_to_move": self.points_to_move,
            "points_outside": self.outside_points,
        }


def _features(collection) -> list[dict]:
    """The (code, name, geometry, parent) of each feature of a FeatureCollection, checked for form."""
    if not isinstance(collection, dict) or collection.get("type") != "FeatureCollection":
        raise InvalidInput.field("features", _("Send a GeoJSON FeatureCollection."))
    features = collection.get("features")
    if not isinstance(features, list):
        raise InvalidInput.field("features", _("A FeatureCollection needs a list of features."))
    if len(features) > MAX_FEATURES:
        raise InvalidInput.field(
            "features", _("At most %(n)d features can be sent at once.") % {"n": MAX_FEATURES}
        )
    out, seen = [], set()
    for index, raw in enumerate(features, start=1):
        if not isinstance(raw, dict) or raw.get("type") != "Feature":
            raise InvalidInput.field("features", _("Item %(i)d is not a GeoJSON Feature.") % {"i": index})
        props = raw.get("properties") or {}
        if not isinstance(props, dict):
            raise InvalidInput.field("features", _("Feature %(i)d has malformed properties.") % {"i": index})
        code = props.get("code")
        if not isinstance(code, str) or not code.strip():
            raise InvalidInput.field("features", _("Feature %(i)d has no code property.") % {"i": index})
        code = code.strip()
        if len(code) > CODE_MAX:
            raise InvalidInput.field(
                "features",
                _("Feature %(i)d: a code has at most %(n)d characters.") % {"i": index, "n": CODE_MAX},
            )
        if code in seen:
            raise InvalidInput.field("features", _("The code %(code)s appears twice.") % {"code": code})
        seen.add(code)
        name, parent = props.get("name"), props.get("parent")
        if isinstance(name, str) and len(name.strip()) > NAME_MAX:
            raise InvalidInput.field(
                "features",
                _("Feature %(i)d: a name has at most %(n)d characters.") % {"i": index, "n": NAME_MAX},
            )
        out.append(
            {
                "code": code,
                "name": name.strip() if isinstance(name, str) else None,
                "parent": parent.strip() if isinstance(parent, str) and parent.strip() else None,
                "geometry": raw.get("geometry"),
            }
        )
    return out


def build_plan(
    *, node: GridNode, collection, remove: Iterable[str] = (), absorb: Mapping[str, str] | None = None
) -> Plan:
    """Check a collection for `node`'s subtree and say what applying it would do.

    Each feature names a node by its `code`: an existing node below `node` is redrawn (and
    renamed if `name` differs); an unknown code is created under `parent` (a code; default
    `node`). The node itself is never changed here. `remove` names nodes to delete (merged
    away); `absorb` maps each of them to the code of the node that takes its rows.
    """
    plan = Plan(node=node)
    features = _features(collection)
    absorb = dict(absorb or {})
    subtree = {n.code: n for n in node.get_descendants(include_self=True).select_related("parent")}
    outside_codes = set(
        GridNode.objects.filter(code__in=[f["code"] for f in features])
        .exclude(pk__in=[n.pk for n in subtree.values()])
        .values_list("code", flat=True)
    )
    for code in remove:
        target = subtree.get(code)
        if target is None or target.pk == node.pk:
            plan.error(code, _("%(code)s is not a node below %(name)s.") % {"code": code, "name": node.name})
            continue
        if not target.is_leaf_node():
            plan.error(code, _("%(name)s has child nodes: it cannot be merged away.") % {"name": target.name})
            continue
        plan.removed.append(target)
        if code in absorb:
            plan.absorbed_into[target.pk] = absorb[code]
    removed_codes = {n.code for n in plan.removed}

    for f in features:
        code = f["code"]
        if code == node.code:
            plan.error(
                code,
                _("The node being edited (%(code)s) cannot be redrawn from its own page.") % {"code": code},
            )
            continue
        if code in outside_codes:
            plan.error(
                code,
                _("The code %(code)s belongs to a node outside %(name)s.")
                % {"code": code, "name": node.name},
            )
            continue
        if code in removed_codes:
            plan.error(code, _("%(code)s is both redrawn and removed.") % {"code": code})
            continue
        geometry = None
        if f["geometry"] is not None:
            try:
                geometry = geo.parse_boundary(f["geometry"])
            except InvalidInput as exc:
                plan.error(code, "; ".join(str(m) for ms in exc.errors.values() for m in ms) or str(exc))
                continue
        existing = subtree.get(code)
        if existing is not None:
            parent_code = existing.parent.code if existing.parent_id else ""
            if f["parent"] and f["parent"] != parent_code:
                plan.error(code, _("%(name)s cannot change parent here: use Move.") % {"name": existing.name})
                continue
            unchanged = (
                existing.boundary is not None
                and geometry is not None
                and geo.parse_boundary(existing.boundary).equals_exact(geometry, 1e-9)
            )
            plan.items.append(
                Item(
                    code=code,
                    name=f["name"] or existing.name,
                    kind=existing.kind,
                    parent_code=parent_code,
                    geometry=geometry,
                    node=existing,
                    changed_geometry=not unchanged and not (existing.boundary is None and geometry is None),
                )
            )
        else:
            if not f["name"]:
                plan.error(code, _("The new node %(code)s needs a name property.") % {"code": code})
                continue
            if geometry is None:
                plan.error(code, _("The new node %(code)s needs a geometry.") % {"code": code})
                continue
            plan.items.append(
                Item(
                    code=code,
                    name=f["name"],
                    kind="",
                    parent_code=f["parent"] or node.code,
                    geometry=geometry,
                )
            )
    if plan.errors:
        return plan
    _resolve_new_kinds(plan, subtree)
    if plan.errors:
        return plan
    _check_geometry(plan, subtree)
    if plan.errors:
        return plan
    _plan_points(plan, subtree)
    return plan


def _resolve_new_kinds(plan: Plan, subtree: dict[str, GridNode]) -> None:
    kinds = {code: n.kind for code, n in subtree.items()}
    pending = [i for i in plan.items if i.node is None]
    for _round in range(len(NodeKind.values)):  # new parents may themselves be new
        for item in pending:
            parent_kind = kinds.get(item.parent_code)
            if parent_kind is None:
                continue
            child_kind = CHILD_KIND.get(parent_kind)
            if child_kind is None:
                plan.error(item.code, _("A grid cannot have child nodes."))
                item.kind = "-"
                continue
            item.kind = child_kind
            kinds[item.code] = child_kind
        pending = [i for i in pending if not i.kind]
    for item in pending:
        plan.error(
            item.code, _("The parent %(code)s is not a node below this one.") % {"code": item.parent_code}
        )


def _final_shapes(
    plan: Plan, subtree: dict[str, GridNode]
) -> tuple[dict[str, BaseGeometry | None], dict[str, str]]:
    """code -> geometry and code -> parent code, after the plan."""
    removed = {n.code for n in plan.removed}
    shapes: dict[str, BaseGeometry | None] = {}
    parents: dict[str, str] = {}
    for code, n in subtree.items():
        if code in removed:
            continue
        shapes[code] = geo.parse_boundary(n.boundary) if n.boundary else None
        parents[code] = n.parent.code if n.parent_id else ""
    for item in plan.items:
        shapes[item.code] = item.geometry
        parents[item.code] = item.parent_code
    if plan.node.parent_id is not None:
        parents[plan.node.code] = ""
    return shapes, parents


def _check_geometry(plan: Plan, subtree: dict[str, GridNode]) -> None:
    shapes, parents = _final_shapes(plan, subtree)
    names = {code: n.name for code, n in subtree.items()} | {i.code: i.name for i in plan.items}
    changed = {i.code: i for i in plan.items if i.changed_geometry and i.geometry is not None}
    touched_parents = (
        {i.parent_code for i in plan.items}
        | {n.parent.code for n in plan.removed if n.parent_id}
        | {i.code for i in plan.items if i.changed_geometry}
    )
    children: dict[str, list[str]] = {}
    for code, parent in parents.items():
        children.setdefault(parent, []).append(code)

    # Inside the parent (within tolerance; the excess is trimmed).
    for code, item in changed.items():
        parent_shape = shapes.get(item.parent_code)
        if parent_shape is None:
            continue
        if not parent_shape.buffer(OUTSIDE_TOLERANCE_DEG).covers(item.geometry):
            outside = area_m2(item.geometry.difference(parent_shape))
            plan.error(
                code,
                _("%(name)s lies partly outside %(parent)s (about %(m2).0f m² outside).")
                % {"name": item.name, "parent": names.get(item.parent_code, item.parent_code), "m2": outside},
            )
            continue
        inside = _clean(item.geometry.intersection(parent_shape))
        if inside is not None and not inside.equals(item.geometry):
            item.trimmed_m2 += area_m2(item.geometry) - area_m2(inside)
            item.geometry = inside
    # A redrawn node must still hold its own (unchanged) children.
    for code, item in changed.items():
        for child_code in children.get(code, []):
            child_shape = shapes.get(child_code)
            if child_code in changed or child_shape is None:
                continue
            if not item.geometry.buffer(OUTSIDE_TOLERANCE_DEG).covers(child_shape):
                plan.error(
                    code,
                    _("The new boundary of %(name)s would leave %(child)s outside it.")
                    % {"name": item.name, "child": names.get(child_code, child_code)},
                )
    if plan.errors:
        return
    # No overlap between siblings beyond the tolerance; accepted slivers are cut from the changed one.
    for codes in children.values():
        fixed = [c for c in codes if c not in changed and shapes.get(c) is not None]
        fixed_shapes = {c: shapes[c] for c in fixed}
        for code in [c for c in codes if c in changed]:
            item = changed[code]
            for other, other_shape in list(fixed_shapes.items()):
                overlap = item.geometry.intersection(other_shape)
                if overlap.is_empty or overlap.area <= geo.OVERLAP_AREA_DEG2:
                    continue
                overlap_m2 = area_m2(overlap)
                smaller = min(area_m2(item.geometry), area_m2(other_shape))
                if overlap_m2 > OVERLAP_MAX_M2 or overlap_m2 > OVERLAP_SHARE * smaller:
                    plan.error(
                        code,
                        _("%(name)s overlaps %(other)s by about %(m2).0f m²; move the shared border.")
                        % {"name": item.name, "other": names.get(other, other), "m2": overlap_m2},
                    )
                    continue
                rest = _clean(item.geometry.difference(other_shape))
                if rest is None:
                    plan.error(
                        code,
                        _("%(name)s lies entirely inside %(other)s.")
                        % {"name": item.name, "other": names.get(other, other)},
                    )
                    continue
                item.trimmed_m2 += overlap_m2
                item.geometry = rest
            fixed_shapes[code] = item.geometry
    if plan.errors:
        return
    for item in changed.values():
        if item.trimmed_m2 >= 0.05:
            plan.warn(
                item.code,
                _("%(name)s was trimmed by about %(m2).1f m² to fit its parent and neighbours.")
                % {"name": item.name, "m2": item.trimmed_m2},
            )
    # Uncovered area of every parent whose children change.
    for parent_code in sorted(touched_parents):
        parent_shape = shapes.get(parent_code)
        kids = [shapes[c] for c in children.get(parent_code, []) if shapes.get(c) is not None]
        if parent_shape is None or not kids:
            continue
        uncovered = area_m2(parent_shape.difference(unary_union(kids)))
        if uncovered >= UNCOVERED_MIN_M2:
            total = area_m2(parent_shape) or 1.0
            plan.warn(
                parent_code,
                _("About %(m2).0f m² (%(share).1f%%) of %(name)s is not covered by any of its children.")
                % {
                    "m2": uncovered,
                    "share": 100 * uncovered / total,
                    "name": names.get(parent_code, parent_code),
                },
            )


def _plan_points(plan: Plan, subtree: dict[str, GridNode]) -> None:
    """Which registered points would fall in another grid of the subtree after the plan."""
    grids_now = {code: n for code, n in subtree.items() if n.kind == NodeKind.GRID}
    grid_ids = [n.pk for n in grids_now.values()]
    if not grid_ids or not _sources:
        return
    shapes, _parents = _final_shapes(plan, subtree)
    final_grids = {
        code
        for code in shapes
        if (subtree[code].kind if code in subtree else next(i.kind for i in plan.items if i.code == code))
        == NodeKind.GRID
    }
    code_of = {n.pk: code for code, n in grids_now.items()}
    items = [
        (LocatedGrid(id=subtree[c].pk if c in subtree else -1, code=c, name=c), shapes[c])
        for c in final_grids
        if shapes.get(c) is not None
    ]
    locator = GridLocator(items) if items else None
    removed = {n.pk for n in plan.removed}
    changed_any = any(i.changed_geometry for i in plan.items) or plan.removed
    for source in point_sources():
        moves: dict[int, str] = {}
        from_grids: dict[int, int] = {}
        rows = list(source.rows(grid_ids))
        located = [r for r in rows if r[2] is not None and r[3] is not None]
        hits = (
            locator.locate_many([r[2] for r in located], [r[3] for r in located])
            if (locator and located and changed_any)
            else [None] * len(located)
        )
        hit_of = {r[0]: h for r, h in zip(located, hits, strict=True)}
        for pk, grid_id, lng, lat in rows:
            hit = hit_of.get(pk)
            current = code_of.get(grid_id)
            if hit is not None and hit.code != current:
                moves[pk], from_grids[pk] = hit.code, grid_id
            elif grid_id in removed:
                target = plan.absorbed_into.get(grid_id)
                if target is None:
                    continue
                moves[pk], from_grids[pk] = target, grid_id
            elif (
                hit is None
                and lng is not None
                and changed_any
                and locator is not None
                and grid_id not in removed
            ):
                shape_now = shapes.get(current)
                if shape_now is None or not shape_now.covers(shapely.Point(lng, lat)):
                    plan.outside_points += 1
        plan.points.append(
            PointMove(source=source.name, label=source.label(), moves=moves, from_grids=from_grids)
        )
    if plan.points_to_move:
        plan.warn(
            plan.node.code,
            ngettext(
                "%(n)d point (%(what)s) would now fall in another grid.",
                "%(n)d points (%(what)s) would now fall in another grid.",
                plan.points_to_move,
            )
            % {"n": plan.points_to_move, "what": ", ".join(p.label for p in plan.points if p.moves)},
        )
    if plan.outside_points:
        plan.warn(
            plan.node.code,
            ngettext(
                "%(n)d point would lie outside every grid; it keeps its grid.",
                "%(n)d points would lie outside every grid; they keep their grid.",
                plan.outside_points,
            )
            % {"n": plan.outside_points},
        )
