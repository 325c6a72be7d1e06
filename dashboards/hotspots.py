"""Hotspots of a node's petitions: recurring places, recurring reporters, problems that come back.

A "place" is a cell of the map: latitude and longitude rounded to three decimals (about
100 m at Helong's latitude), computed in SQL. Every function is one aggregate query over
the node's subtree, whatever the number of petitions. Reporters are grouped by their keyed
phone hash, which never leaves this module: the answer carries only counts and categories.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Count, Exists, F, FloatField, Max, OuterRef, Q, QuerySet
from django.db.models.functions import Cast, Round

from grids.models import GridNode
from grids.subtree import in_subtree
from petitions.models import Petition, Status
from residents.models import KeyMembership

CELL_DIGITS = 3
RECURRING_MIN = 3  # N: at least this many petitions ...
RECURRING_MONTHS = 12  # ... within M months
RETURN_DAYS = 30  # K: a new petition within K days after a closed one at the same place


def _cell(field: str):
    return Round(Cast(field, FloatField()), CELL_DIGITS)


def _located(node: GridNode, since: datetime.datetime) -> QuerySet:
    return (
        Petition.objects.exclude(status=Status.DRAFT)
        .filter(in_subtree(node, "grid"), received_at__gte=since)
        .exclude(latitude=None)
        .exclude(longitude=None)
        .annotate(cell_lat=_cell("latitude"), cell_lng=_cell("longitude"))
    )


def _since(now: datetime.datetime, months: int) -> datetime.datetime:
    return now - datetime.timedelta(days=round(months * 30.44))


def heat(*, node: GridNode, now: datetime.datetime, months: int = RECURRING_MONTHS) -> list[list[float]]:
    """[[lng, lat, count], ...] per map cell: the ECharts heat map's data (one query)."""
    rows = (
        _located(node, _since(now, months))
        .values("cell_lat", "cell_lng")
        .annotate(n=Count("pk"))
        .order_by("-n", "cell_lat", "cell_lng")
    )
    return [[r["cell_lng"], r["cell_lat"], r["n"]] for r in rows]


@dataclass(frozen=True)
class Place:
    grid_id: int
    grid_name: str
    latitude: float
    longitude: float
    category_id: int | None
    category: str
    department_id: int | None
    department: str
    count: int
    returns: int
    key_people: int
    last_received: datetime.datetime

    @property
    def key(self) -> str:
        return f"{self.latitude:.{CELL_DIGITS}f},{self.longitude:.{CELL_DIGITS}f}"

    @property
    def score(self) -> int:
        """The ranking: each petition counts once, each return after closing twice more."""
        return self.count + 2 * self.returns


def _returned() -> Exists:
    """The petition follows a closed one at the same cell and category within RETURN_DAYS."""
    earlier = (
        Petition.objects.filter(
            status=Status.CLOSED,
            category_id=OuterRef("category_id"),
            grid_id=OuterRef("grid_id"),
            closed_at__lt=OuterRef("received_at"),
            closed_at__gte=OuterRef("received_at") - datetime.timedelta(days=RETURN_DAYS),
        )
        .annotate(cell_lat=_cell("latitude"), cell_lng=_cell("longitude"))
        .filter(cell_lat=OuterRef("cell_lat"), cell_lng=OuterRef("cell_lng"))
    )
    return Exists(earlier)


def _cell_key(latitude: str, longitude: str):
    """One number per map cell (the rounded latitude and longitude side by side, each as an
    integer of thousandths): a cell can then be looked up in a set of cells, which PostgreSQL
    hashes once, instead of being compared row by row against every other row's cell."""
    scale = 10**CELL_DIGITS
    return _cell(latitude) * scale * 10_000_000 + _cell(longitude) * scale


def _key_person_cells():
    """The cells of the buildings where a key person (active membership) lives."""
    return (
        KeyMembership.objects.filter(is_active=True)
        .annotate(
            cell_key=_cell_key(
                "resident__household__unit__building__latitude",
                "resident__household__unit__building__longitude",
            )
        )
        .values("cell_key")
    )


def recurring_places(
    *,
    node: GridNode,
    now: datetime.datetime,
    minimum: int = RECURRING_MIN,
    months: int = RECURRING_MONTHS,
    limit: int = 50,
) -> list[Place]:
    """Cells with at least `minimum` petitions of one category in `months`, most first (one query)."""
    rows = (
        _located(node, _since(now, months))
        .annotate(returned=_returned(), cell_key=_cell_key("latitude", "longitude"))
        .values("grid_id", "grid__name", "cell_lat", "cell_lng", "category_id", "category__name")
        .annotate(
            n=Count("pk"),
            returns=Count("pk", filter=Q(returned=True)),
            # a key person lives in a building of the petition's cell
            key_people=Count("pk", filter=Q(cell_key__in=_key_person_cells())),
            # The department the catalogue makes responsible for the category (the rows are
            # grouped by category, so there is one); a category that names none is the grid's
            # own work, with no department to hand it to.
            department_id=Max("category__department_id"),
            department=Max("category__department__name"),
            last=Max("received_at"),
        )
        .filter(n__gte=minimum)
        .order_by(F("n").desc(), F("returns").desc(), "grid_id", "cell_lat", "cell_lng", "category_id")[
            :limit
        ]
    )
    return [
        Place(
            grid_id=r["grid_id"],
            grid_name=r["grid__name"],
            latitude=r["cell_lat"],
            longitude=r["cell_lng"],
            category_id=r["category_id"],
            category=r["category__name"] or "",
            department_id=r["department_id"],
            department=r["department"] or "",
            count=r["n"],
            returns=r["returns"],
            key_people=r["key_people"],
            last_received=r["last"],
        )
        for r in rows
    ]


def recurring_reporters(
    *, node: GridNode, now: datetime.datetime, minimum: int = RECURRING_MIN, months: int = RECURRING_MONTHS
) -> dict:
    """How many reporters came back `minimum` times or more, and with which categories.

    Grouped by the keyed phone hash in SQL; neither the hash, the phone nor the name is returned.
    """
    base = (
        Petition.objects.exclude(status=Status.DRAFT)
        .filter(in_subtree(node, "grid"), received_at__gte=_since(now, months))
        .exclude(reporter_phone_hash="")
    )
    repeaters = (
        base.values("reporter_phone_hash")
        .annotate(n=Count("pk"))
        .filter(n__gte=minimum)
        .values("reporter_phone_hash")
    )
    by_category = (
        base.filter(reporter_phone_hash__in=repeaters)
        .values("category__name")
        .annotate(petitions=Count("pk"), reporters=Count("reporter_phone_hash", distinct=True))
        .order_by("-petitions", "category__name")
    )
    categories = [
        {"category": r["category__name"] or "", "petitions": r["petitions"], "reporters": r["reporters"]}
        for r in by_category
    ]
    totals = base.filter(reporter_phone_hash__in=repeaters).aggregate(
        reporters=Count("reporter_phone_hash", distinct=True), petitions=Count("pk")
    )
    return {"reporters": totals["reporters"], "petitions": totals["petitions"], "categories": categories}


def outline(*, node: GridNode) -> dict:
    """The GeoJSON of the node's children (or the node itself): the heat map's background (one query)."""
    shapes = [
        n for n in GridNode.objects.filter(Q(parent=node) | Q(pk=node.pk)).order_by("lft") if n.boundary
    ]
    children = [n for n in shapes if n.pk != node.pk]
    features = [
        {"type": "Feature", "properties": {"name": n.name, "id": n.pk}, "geometry": n.boundary}
        for n in (children or shapes)
    ]
    return {"type": "FeatureCollection", "features": features}
