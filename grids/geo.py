"""GeoJSON boundaries: parsing, validation and the shapes' summary numbers.

Coordinates are WGS 84 [lng, lat] as GeoJSON orders them. Neighbouring grids
share borders exactly in theory but not in floating point, so containment and
overlap are judged with a small tolerance (about a centimetre).
"""

from django.utils.translation import gettext as _
from shapely import make_valid
from shapely.geometry import MultiPolygon, Polygon, mapping, shape
from shapely.geometry.base import BaseGeometry
from shapely.validation import explain_validity

from hlgrid.errors import InvalidInput

TOLERANCE_DEG = 1e-7  # ~1 cm
OVERLAP_AREA_DEG2 = 1e-11  # ~0.1 m²


def _check_rings(geojson: dict) -> None:
    polygons = [geojson["coordinates"]] if geojson["type"] == "Polygon" else geojson["coordinates"]
    for polygon in polygons:
        if not polygon:
            raise InvalidInput.field("boundary", _("A polygon needs at least one ring."))
        for ring in polygon:
            if len(ring) < 4:
                raise InvalidInput.field(
                    "boundary", _("A ring needs at least four positions (a closed triangle).")
                )
            if list(ring[0]) != list(ring[-1]):
                raise InvalidInput.field(
                    "boundary", _("A ring must be closed: its last position must equal its first.")
                )
            for position in ring:
                if len(position) < 2:
                    raise InvalidInput.field("boundary", _("A position needs a longitude and a latitude."))
                lng, lat = position[0], position[1]
                if not (-180 <= lng <= 180 and -90 <= lat <= 90):
                    raise InvalidInput.field(
                        "boundary",
                        _("Position (%(lng)s, %(lat)s) is not a valid longitude/latitude.")
                        % {"lng": lng, "lat": lat},
                    )


def parse_boundary(geojson) -> Polygon | MultiPolygon:
    """Turn a GeoJSON geometry into a valid shapely (multi)polygon or raise InvalidInput."""
    if not isinstance(geojson, dict) or geojson.get("type") not in ("Polygon", "MultiPolygon"):
        raise InvalidInput.field("boundary", _("The boundary must be a GeoJSON Polygon or MultiPolygon."))
    if not isinstance(geojson.get("coordinates"), list):
        raise InvalidInput.field("boundary", _("The boundary has no coordinates."))
    try:
        _check_rings(geojson)
        geometry = shape(geojson)
    except (TypeError, ValueError, IndexError, KeyError):
        raise InvalidInput.field("boundary", _("The boundary coordinates are malformed.")) from None
    if not geometry.is_valid:
        raise InvalidInput.field(
            "boundary",
            _("The boundary is not a valid polygon: %(reason)s") % {"reason": explain_validity(geometry)},
        )
    if geometry.is_empty or geometry.area <= 0:
        raise InvalidInput.field("boundary", _("The boundary encloses no area."))
    return geometry


def check_inside(child: BaseGeometry, parent: BaseGeometry) -> None:
    if not parent.buffer(TOLERANCE_DEG).covers(child):
        raise InvalidInput.field("boundary", _("The boundary must lie inside the parent's boundary."))


def check_no_overlap(geometry: BaseGeometry, siblings: list[tuple[str, BaseGeometry]]) -> None:
    for name, other in siblings:
        if geometry.intersection(other).area > OVERLAP_AREA_DEG2:
            raise InvalidInput.field(
                "boundary", _("The boundary overlaps the neighbouring node %(name)s.") % {"name": name}
            )


def summary(geometry: BaseGeometry) -> dict:
    """Bounding box and centroid columns stored beside the GeoJSON."""
    min_lng, min_lat, max_lng, max_lat = geometry.bounds
    centre = geometry.representative_point() if not geometry.centroid.within(geometry) else geometry.centroid
    return {
        "min_lng": min_lng,
        "min_lat": min_lat,
        "max_lng": max_lng,
        "max_lat": max_lat,
        "centroid_lng": centre.x,
        "centroid_lat": centre.y,
    }


def to_geojson(geometry: BaseGeometry, precision: int = 7) -> dict:
    """GeoJSON with rounded coordinates (7 decimals ≈ 1 cm)."""
    geometry = make_valid(geometry) if not geometry.is_valid else geometry

    def _round(coords):
        if isinstance(coords, (int, float)):
            return round(coords, precision)
        return [_round(c) for c in coords]

    data = mapping(geometry)
    return {"type": data["type"], "coordinates": _round(data["coordinates"])}
