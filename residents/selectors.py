"""Read queries over residents, key people and visits, always scoped to the asking user.

Residents' personal data is territorial: it is seen by the workers, heads and officials
whose posts cover the grid (and administrators), not by department staff or assessors,
whose city-wide posts are for petitions and assessment. Coverage figures (no personal data)
are also open to assessors.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Case, Count, DateTimeField, Exists, OuterRef, Prefetch, Q, QuerySet, Value, When
from django.utils import timezone

from grids import access
from grids.access import get_scoped_or_404, scope_queryset
from grids.models import GridNode, NodeKind, PostKind
from grids.subtree import in_subtree
from hlgrid import lights
from hlgrid.crypto import lookup_hash
from hlgrid.ordering import numbered
from residents import idcard, keypeople
from residents.models import Building, Household, KeyGroup, KeyMembership, Resident, Unit, Visit, VisitPhoto

# The posts that see residents by territory: the policy's own set (department staff and
# assessors do not).
RESIDENT_POST_KINDS = access.RESIDENT_KINDS
COVERAGE_POST_KINDS = (*RESIDENT_POST_KINDS, PostKind.ASSESSOR)


def _scoped(user, queryset: QuerySet, node_path: str) -> QuerySet:
    return scope_queryset(user, queryset, node_path=node_path, post_kinds=RESIDENT_POST_KINDS)


def _get(user, queryset: QuerySet, node_path: str, **lookup):
    return get_scoped_or_404(user, queryset, node_path=node_path, post_kinds=RESIDENT_POST_KINDS, **lookup)


def grid_list(*, user) -> QuerySet:
    """The GRID nodes whose residents the user may see."""
    return _scoped(user, GridNode.objects.filter(kind=NodeKind.GRID), "").order_by("code")


def grid_get(*, user, pk) -> GridNode:
    return _get(user, GridNode.objects.filter(kind=NodeKind.GRID), "", pk=pk)


def building_list(*, user) -> QuerySet:
    return _scoped(user, Building.objects.select_related("grid", "head"), "grid")


def building_get(*, user, pk) -> Building:
    return _get(user, Building.objects.select_related("grid", "head"), "grid", pk=pk)


def unit_list(*, user) -> QuerySet:
    return _scoped(user, Unit.objects.select_related("building", "head"), "building__grid")


def unit_get(*, user, pk) -> Unit:
    return _get(user, Unit.objects.select_related("building", "head"), "building__grid", pk=pk)


def household_list(*, user) -> QuerySet:
    return _scoped(user, Household.objects.select_related("grid"), "grid")


def household_get(*, user, pk) -> Household:
    return _get(user, Household.objects.select_related("grid", "unit__building"), "grid", pk=pk)


def resident_list(*, user) -> QuerySet:
    return _scoped(user, Resident.objects.select_related("household"), "household__grid")


def resident_get(*, user, pk) -> Resident:
    return _get(user, Resident.objects.select_related("household__grid"), "household__grid", pk=pk)


def resident_search(*, user, query: str = "") -> QuerySet:
    """By name (part of it), by a whole ID number (exact, through its keyed hash) or by address."""
    queryset = resident_list(user=user).order_by("household__label", "id")
    query = (query or "").strip()
    if not query:
        return queryset
    normalised = idcard.normalise(query)
    if len(normalised) == 18 and normalised[:17].isdigit():
        return queryset.filter(id_number_hash=lookup_hash(normalised))
    return queryset.filter(Q(name__contains=query) | Q(household__label__contains=query))


def membership_list(*, user, on: datetime.date | None = None) -> QuerySet:
    """Active key memberships with their light (SQL), red first then by due date."""
    queryset = KeyMembership.objects.filter(is_active=True).select_related("resident__household", "group")
    return keypeople.with_light(_scoped(user, queryset, "grid"), on).order_by(
        "light_rank", "next_visit_due", "id"
    )


def membership_get(*, user, pk, on: datetime.date | None = None) -> KeyMembership:
    queryset = keypeople.with_light(KeyMembership.objects.select_related("resident__household", "group"), on)
    return _get(user, queryset, "grid", pk=pk)


def visit_list(*, user) -> QuerySet:
    return _scoped(user, Visit.objects.select_related("worker", "household"), "grid").prefetch_related(
        "people_seen", "photos"
    )


def visit_get(*, user, pk) -> Visit:
    return _get(
        user,
        Visit.objects.select_related("worker", "household").prefetch_related("people_seen", "photos"),
        "grid",
        pk=pk,
    )


def visit_photo_get(*, user, pk) -> VisitPhoto:
    """A visit's photo for whoever may see the visit (a photo of a home is personal data)."""
    return _get(user, VisitPhoto.objects.all(), "visit__grid", pk=pk)


def quarter_start(on: datetime.date) -> datetime.date:
    return datetime.date(on.year, 3 * ((on.month - 1) // 3) + 1, 1)


def start_of_day(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


@dataclass
class MyDay:
    due: list[KeyMembership]
    due_count: int
    red_count: int
    recent_visits: list[Visit]
    unvisited: list[Household]
    unvisited_count: int
    households_count: int
    quarter_start: datetime.date


MY_DAY_LIMIT = 50


def my_day(*, user, on: datetime.date | None = None) -> MyDay:
    """The worker's day: key people due or overdue (red first), its recent visits, and the
    households in its grids not visited this quarter. A fixed number of queries, each reading
    only the columns the page shows (no encrypted field to decrypt, no grid polygon)."""
    on = on or lights.today()
    due_queryset = membership_list(user=user, on=on).filter(warn_from__lte=on)
    due = list(due_queryset.only(*MY_DAY_MEMBERSHIP_FIELDS)[:MY_DAY_LIMIT])
    if len(due) < MY_DAY_LIMIT:
        # The whole list is there: count it rather than ask again.
        counts = {"total": len(due), "red": sum(1 for m in due if m.light == lights.Light.RED)}
    else:
        counts = due_queryset.aggregate(total=Count("id"), red=Count("id", filter=Q(next_visit_due__lt=on)))
    since = quarter_start(on)
    visited = Visit.objects.filter(household=OuterRef("pk"), visited_at__gte=start_of_day(since))
    households = household_list(user=user).select_related(None)
    unvisited = households.filter(~Exists(visited)).order_by("label", "id").only("id", "label")
    household_counts = households.aggregate(total=Count("id"), unvisited=Count("id", filter=~Exists(visited)))
    recent = (
        Visit.objects.filter(worker=user)
        .select_related("household")
        .only("id", "visited_at", "kind", "problem_found", "household_id", "household__label")
        .prefetch_related(Prefetch("people_seen", queryset=Resident.objects.only("id", "name")))
        .order_by("-visited_at", "-id")[:10]
    )
    return MyDay(
        due=due,
        due_count=counts["total"],
        red_count=counts["red"],
        recent_visits=list(recent),
        unvisited=list(unvisited[:20]),
        unvisited_count=household_counts["unvisited"],
        households_count=household_counts["total"],
        quarter_start=since,
    )


# What My day shows of a key membership (residents/my_day.html).
MY_DAY_MEMBERSHIP_FIELDS = (
    "id",
    "next_visit_due",
    "warn_from",
    "resident__name",
    "resident__household__label",
    "group__name",
)


@dataclass
class HouseholdPage:
    household: Household
    residents: list[Resident]
    memberships: list[KeyMembership]
    visits: list[Visit]
    landlord: Household | None = None  # the landlord's household, when the caller may see it
    tenants: list[Household] = field(default_factory=list)  # the dwellings this household lets


def household_page(*, user, pk, on: datetime.date | None = None) -> HouseholdPage:
    household = household_get(user=user, pk=pk)
    residents = list(household.residents.order_by("birth_date", "id"))
    memberships = list(
        keypeople.with_light(
            KeyMembership.objects.filter(resident__household=household, is_active=True).select_related(
                "resident", "group"
            ),
            on,
        ).order_by("light_rank", "next_visit_due")
    )
    visits = list(
        household.visits.select_related("worker")
        .prefetch_related("people_seen", "photos")
        .order_by("-visited_at", "-id")[:20]
    )
    scoped = household_list(user=user)
    landlord = scoped.filter(pk=household.landlord_id).first() if household.landlord_id else None
    tenants = list(scoped.filter(landlord=household).order_by("label", "id"))
    return HouseholdPage(
        household=household,
        residents=residents,
        memberships=memberships,
        visits=visits,
        landlord=landlord,
        tenants=tenants,
    )


def landlord_choices(*, user, household: Household) -> QuerySet:
    """The households of the same grid that may be named as this dwelling's landlord."""
    return (
        household_list(user=user)
        .filter(grid_id=household.grid_id)
        .exclude(pk=household.pk)
        .order_by("label", "id")
    )


def household_pick(*, user, query: str = "") -> QuerySet:
    """Households for the log-visit picker: by address (building/unit/door) or a resident's name."""
    queryset = household_list(user=user).order_by("label", "id")
    query = (query or "").strip()
    if query:
        by_resident = Resident.objects.filter(household=OuterRef("pk"), name__contains=query)
        queryset = queryset.filter(Q(label__contains=query) | Exists(by_resident))
    return queryset


@dataclass
class CoverageRow:
    grid: GridNode
    households: int = 0
    households_visited: int = 0
    key_people: int = 0
    key_visited: int = 0

    @staticmethod
    def _rate(part: int, whole: int) -> float | None:
        return part / whole if whole else None

    @property
    def household_rate(self) -> float | None:
        return self._rate(self.households_visited, self.households)

    @property
    def key_rate(self) -> float | None:
        return self._rate(self.key_visited, self.key_people)


@dataclass
class Coverage:
    node: GridNode
    start: datetime.date
    end: datetime.date
    rows: list[CoverageRow]
    total: CoverageRow


def coverage(*, user, node: GridNode, start: datetime.date, end: datetime.date) -> Coverage:
    """Households visited in [start, end] / households, and key memberships visited within their
    group's interval before the end of the period / active memberships, per GRID of `node`'s
    subtree that the user may see. Four queries whatever the size of the subtree."""
    grids = list(
        scope_queryset(
            user,
            GridNode.objects.filter(in_subtree(node), kind=NodeKind.GRID),
            node_path="",
            post_kinds=COVERAGE_POST_KINDS,
        ).order_by("code")
    )
    rows = {grid.pk: CoverageRow(grid=grid) for grid in grids}
    period_start, period_end = start_of_day(start), start_of_day(end + datetime.timedelta(days=1))

    visited = Exists(
        Visit.objects.filter(
            household=OuterRef("pk"), visited_at__gte=period_start, visited_at__lt=period_end
        )
    )
    for row in (
        Household.objects.filter(grid_id__in=rows)
        .annotate(visited=visited)
        .values("grid_id")
        .annotate(total=Count("id"), done=Count("id", filter=Q(visited=True)))
        .order_by()
    ):
        rows[row["grid_id"]].households = row["total"]
        rows[row["grid_id"]].households_visited = row["done"]

    groups = KeyGroup.objects.filter(city__tree_id=node.tree_id).values_list("pk", "visit_interval_days")
    window_start = Case(
        *[When(group_id=pk, then=Value(period_end - datetime.timedelta(days=days))) for pk, days in groups],
        output_field=DateTimeField(),
    )
    within = Exists(
        Visit.objects.filter(
            household_id=OuterRef("resident__household_id"),
            visited_at__gte=OuterRef("window_start"),
            visited_at__lt=period_end,
        )
    )
    for row in (
        KeyMembership.objects.filter(grid_id__in=rows, is_active=True, since__lte=end)
        .annotate(window_start=window_start)
        .annotate(within=within)
        .values("grid_id")
        .annotate(total=Count("id"), done=Count("id", filter=Q(within=True)))
        .order_by()
    ):
        rows[row["grid_id"]].key_people = row["total"]
        rows[row["grid_id"]].key_visited = row["done"]

    ordered = list(rows.values())
    total = CoverageRow(
        grid=node,
        households=sum(r.households for r in ordered),
        households_visited=sum(r.households_visited for r in ordered),
        key_people=sum(r.key_people for r in ordered),
        key_visited=sum(r.key_visited for r in ordered),
    )
    return Coverage(node=node, start=start, end=end, rows=ordered, total=total)


def coverage_nodes(*, user) -> QuerySet:
    """The nodes a user may ask coverage for (any node of its scope)."""
    return scope_queryset(
        user, GridNode.objects.all(), node_path="", post_kinds=COVERAGE_POST_KINDS
    ).order_by("tree_id", "lft")


# A building's number as people say it: "3号楼", "3栋", "3幢", "3号" are building 3.
BUILDING_SUFFIXES = ("号楼", "栋", "幢", "号", "楼")


def building_search(*, user, query: str = "", post_kinds=RESIDENT_POST_KINDS) -> QuerySet:
    """Buildings of the user's scope (posts of `post_kinds`) for a place picker: every word
    must match the building's number (as "3" or "3号楼"), name or address, or its grid's or
    community's name or code. At most five words; the caller slices the result."""
    queryset = scope_queryset(
        user, Building.objects.select_related("grid", "grid__parent"), node_path="grid", post_kinds=post_kinds
    ).order_by("grid__code", *numbered("number"), "id")
    for word in (query or "").split()[:5]:
        number = word
        for suffix in BUILDING_SUFFIXES:
            number = number.removesuffix(suffix)
        queryset = queryset.filter(
            Q(number=number)
            | Q(name__icontains=word)
            | Q(address__icontains=word)
            | Q(grid__name__icontains=word)
            | Q(grid__code__iexact=word)
            | Q(grid__parent__name__icontains=word)
        )
    return queryset


PUBLIC_BUILDING_LIMIT = 10


def building_public_search(*, query: str, limit: int = PUBLIC_BUILDING_LIMIT) -> list[dict]:
    """The register's buildings for a resident who cannot share a position (no account).

    Only the place is answered — the building's name, number and address, its point (or its
    grid's centroid), grid and community — never a head, a unit, a household or a resident.
    Every word of the query must match the address, the name, the number (3, 3栋, 3号楼) or
    the grid's, community's or street's name. One query, at most `limit` rows.
    """
    words = [w for w in (query or "").replace("，", " ").replace(",", " ").split() if w][:5]
    if not words or sum(len(w) for w in words) < 2:
        return []
    condition = Q()
    for word in words:
        number = word.removesuffix("号楼").removesuffix("栋").removesuffix("号").removesuffix("幢")
        match = (
            Q(address__icontains=word)
            | Q(name__icontains=word)
            | Q(grid__name__icontains=word)
            | Q(grid__parent__name__icontains=word)
            | Q(grid__parent__parent__name__icontains=word)
        )
        if number:
            match |= Q(number=number)
        condition &= match
    rows = (
        Building.objects.filter(condition, grid__kind=NodeKind.GRID)
        .order_by("grid__code", *numbered("number"), "pk")
        .values(
            "pk",
            "number",
            "name",
            "address",
            "latitude",
            "longitude",
            "grid_id",
            "grid__name",
            "grid__centroid_lat",
            "grid__centroid_lng",
            "grid__parent__name",
        )[:limit]
    )
    result = []
    for row in rows:
        exact = row["latitude"] is not None and row["longitude"] is not None
        result.append(
            {
                "id": row["pk"],
                "number": row["number"],
                "name": row["name"],
                "address": row["address"],
                "latitude": row["latitude"] if exact else row["grid__centroid_lat"],
                "longitude": row["longitude"] if exact else row["grid__centroid_lng"],
                "exact": exact,
                "grid": {"id": row["grid_id"], "name": row["grid__name"]},
                "community": row["grid__parent__name"] or "",
            }
        )
    return result
