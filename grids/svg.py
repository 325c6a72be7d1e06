"""Draw GeoJSON polygons as SVG paths, without map tiles (field offices may be offline).

An equirectangular projection scaled by cos(latitude) is exact enough at a
city's size and keeps shapes' proportions.
"""

import math
from dataclasses import dataclass

WIDTH = 1000.0


FIELDS = (
    "pk",
    "name",
    "boundary",
    "min_lng",
    "min_lat",
    "max_lng",
    "max_lat",
    "centroid_lng",
    "centroid_lat",
)


@dataclass
class Shape:
    node: object
    path: str
    label_x: float
    label_y: float
    linked: bool


class Projection:
    def __init__(self, min_lng: float, min_lat: float, max_lng: float, max_lat: float, pad: float = 0.03):
        self.kx = math.cos(math.radians((min_lat + max_lat) / 2))
        span_x = max((max_lng - min_lng) * self.kx, 1e-9)
        span_y = max(max_lat - min_lat, 1e-9)
        self.min_lng = min_lng - (max_lng - min_lng) * pad
        self.max_lat = max_lat + (max_lat - min_lat) * pad
        self.scale = WIDTH / (span_x * (1 + 2 * pad))
        self.width = WIDTH
        self.height = span_y * (1 + 2 * pad) * self.scale

    def xy(self, lng: float, lat: float) -> tuple[float, float]:
        return ((lng - self.min_lng) * self.kx * self.scale, (self.max_lat - lat) * self.scale)

    @property
    def viewbox(self) -> str:
        return f"0 0 {self.width:.0f} {self.height:.0f}"


def _rings(geojson: dict):
    polygons = [geojson["coordinates"]] if geojson["type"] == "Polygon" else geojson["coordinates"]
    for polygon in polygons:
        yield from polygon


def path(geojson: dict, projection: Projection) -> str:
    parts = []
    for ring in _rings(geojson):
        points = [projection.xy(lng, lat) for lng, lat, *_ in ring]
        parts.append("M" + "L".join(f"{x:.1f},{y:.1f}" for x, y in points) + "Z")
    return "".join(parts)


def draw(outline_node, nodes, *, linked: set[int] | frozenset = frozenset()) -> dict | None:
    """SVG data for a node's outline and its children's shapes (None when nothing has a boundary)."""
    drawable = [n for n in nodes if n.boundary]
    frame = [n for n in [outline_node, *drawable] if n is not None and n.boundary]
    if not frame:
        return None
    projection = Projection(
        min(n.min_lng for n in frame),
        min(n.min_lat for n in frame),
        max(n.max_lng for n in frame),
        max(n.max_lat for n in frame),
    )
    shapes = []
    for node in drawable:
        x, y = projection.xy(node.centroid_lng, node.centroid_lat)
        shapes.append(
            Shape(
                node=node,
                path=path(node.boundary, projection),
                label_x=x,
                label_y=y,
                linked=node.pk in linked,
            )
        )
    outline = path(outline_node.boundary, projection) if outline_node and outline_node.boundary else ""
    # Labels scale with the drawing so they stay readable on a phone and on a wall screen.
    label_size = max(14, min(28, projection.width / (4 * max(len(shapes), 1) ** 0.5 * 2.2)))
    return {
        "viewbox": projection.viewbox,
        "outline": outline,
        "shapes": shapes,
        "label_size": f"{label_size:.0f}",
    }
