"""The department league (部门同台): departments under the same light, per node and period.

Every figure is counted in SQL, one grouped aggregate per figure group, grouped by
department, over the node's subtree (the petition's grid, the overdue row's grid, the
whistle's street) and the period's window (evaluation.indicators.period_window):

- received: petitions handed to the department — those it holds, classified in the period,
  plus those it returned (退单) in the period (each return was a receipt it gave back);
- returned: return events attributed to the department (PetitionEvent.department);
- resolved / on time / rework: petitions the department resolved in the period, those
  resolved by their handling deadline, those that came back at least once (返工);
- rated / satisfied: petitions closed in the period with a callback rating, those rated
  satisfied or partly satisfied;
- overdue: the Overdue rows charged to the department whose deadline fell in the period,
  less those whose accountability case (supervision) was excused (`overdue_rows`, the one
  place that decides which rows count);
- check-ins: whistle check-ins (部门报到) of the department due in the period, those made
  by their deadline.

The same filters give the drill-down (`drill_down`): the petitions behind each figure.
A page runs a fixed number of queries whatever the number of departments or petitions.
"""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.apps import apps
from django.db.models import Count, F, Q, QuerySet
from django.utils.translation import gettext as _

from evaluation.indicators import Window, period_window
from evaluation.models import DepartmentBoard, DepartmentRating, Period, PeriodStatus, to_points
from grids import access
from grids.models import Department, GridNode, NodeKind
from grids.selectors import scope_roots
from grids.subtree import in_subtree
from hlgrid.errors import InvalidInput, NotFound
from supervision.selectors import counted_checkins, counted_overdues

# The figures a drill-down may ask for (the petitions list's `figure` filter).
FIGURES = ("received", "returned", "resolved", "on_time", "late", "rework", "rated", "satisfied", "overdue")
SATISFIED = ("SATISFIED", "PARTLY")


@dataclass
class LeagueRow:
    department_id: int
    code: str
    name: str
    received: int = 0
    returned: int = 0
    resolved: int = 0
    on_time: int = 0
    rework: int = 0
    rated: int = 0
    satisfied: int = 0
    overdue: int = 0
    checkins: int = 0
    checkins_on_time: int = 0
    rank: int = 0

    @property
    def return_rate(self) -> Decimal | None:
        return _rate(self.returned, self.received)

    @property
    def on_time_rate(self) -> Decimal | None:
        return _rate(self.on_time, self.resolved)

    @property
    def rework_rate(self) -> Decimal | None:
        return _rate(self.rework, self.resolved)

    @property
    def satisfaction_rate(self) -> Decimal | None:
        return _rate(self.satisfied, self.rated)

    @property
    def checkin_rate(self) -> Decimal | None:
        return _rate(self.checkins_on_time, self.checkins)

    @property
    def score(self) -> Decimal:
        """The league score (0–100): on time 40, satisfaction 30, check-in punctuality 15,
        no returns 15, less 2 points per overdue row; a rate with no cases counts in full."""
        full = Decimal(100)
        parts = (
            (Decimal(40), self.on_time_rate),
            (Decimal(30), self.satisfaction_rate),
            (Decimal(15), self.checkin_rate),
            (Decimal(15), None if self.return_rate is None else full - self.return_rate),
        )
        total = sum((weight * (full if rate is None else rate) / full for weight, rate in parts), Decimal(0))
        return to_points(max(Decimal(0), total - 2 * self.overdue))

    @property
    def active(self) -> bool:
        return bool(self.received or self.resolved or self.rated or self.overdue or self.checkins)


def _rate(part: int, whole: int) -> Decimal | None:
    return to_points(Decimal(part) * 100 / whole) if whole else None


def _model(name: str):
    return apps.get_model("petitions", name)


def _petitions_in(node: GridNode) -> QuerySet:
    return _model("Petition").objects.filter(in_subtree(node, "grid"))


def _in(field: str, window: Window) -> Q:
    return Q(**{f"{field}__gte": window.start, f"{field}__lt": window.end})


def returns_in(node: GridNode, window: Window) -> QuerySet:
    """The return events (退单) attributed to a department, in the node's subtree and window."""
    return _model("PetitionEvent").objects.filter(
        in_subtree(node, "petition__grid"), _in("at", window), action="return", department__isnull=False
    )


def overdue_rows(node: GridNode, window: Window) -> QuerySet:
    """The Overdue rows that count against departments: charged to one, deadline in the window.

    The one definition of the league's overdue count (page, API, export, assessment,
    bulletins): a row whose accountability case was excused does not count."""
    return counted_overdues(
        _model("Overdue").objects.filter(
            in_subtree(node, "grid"), _in("due_at", window), department__isnull=False
        )
    )


def checkins_in(node: GridNode, window: Window) -> QuerySet:
    """The check-ins that count in punctuality: a late one whose case was excused does not."""
    return counted_checkins(
        _model("CheckIn").objects.filter(in_subtree(node, "whistle__street"), _in("due_at", window))
    )


def league_for_window(*, node: GridNode, window: Window) -> list[LeagueRow]:
    """The league over a window, best score first; only departments with any case there."""
    rows = {
        d.pk: LeagueRow(department_id=d.pk, code=d.code, name=d.name)
        for d in Department.objects.filter(city__tree_id=node.tree_id)
        .only("id", "code", "name")
        .order_by("code")
    }
    held = (
        _petitions_in(node)
        .filter(department__isnull=False)
        .values("department_id")
        .annotate(
            received=Count("id", filter=_in("classified_at", window)),
            resolved=Count("id", filter=_in("resolved_at", window)),
            on_time=Count("id", filter=_in("resolved_at", window) & Q(resolved_on_time=True)),
            rework=Count("id", filter=_in("resolved_at", window) & Q(rework_count__gt=0)),
            rated=Count("id", filter=_in("closed_at", window) & ~Q(satisfaction="")),
            satisfied=Count("id", filter=_in("closed_at", window) & Q(satisfaction__in=SATISFIED)),
        )
        .order_by()
    )
    for r in held:
        row = rows[r["department_id"]]
        for key in ("received", "resolved", "on_time", "rework", "rated", "satisfied"):
            setattr(row, key, r[key])
    for r in returns_in(node, window).values("department_id").annotate(n=Count("id")).order_by():
        rows[r["department_id"]].returned = r["n"]
        rows[r["department_id"]].received += r["n"]
    for r in overdue_rows(node, window).values("department_id").annotate(n=Count("id")).order_by():
        rows[r["department_id"]].overdue = r["n"]
    checkins = (
        checkins_in(node, window)
        .values("department_id")
        .annotate(n=Count("id"), ok=Count("id", filter=Q(checked_in_at__lte=F("due_at"))))
        .order_by()
    )
    for r in checkins:
        rows[r["department_id"]].checkins = r["n"]
        rows[r["department_id"]].checkins_on_time = r["ok"]
    league = sorted((r for r in rows.values() if r.active), key=lambda r: (-r.score, r.code))
    for i, row in enumerate(league, start=1):
        row.rank = i
    return league


def league(*, user, node: GridNode, period: Period, now: datetime) -> list[LeagueRow]:
    """The league of `node` for `period`, for a user whose posts cover the node (else 404)."""
    access.must_cover(user, node)
    return league_for_window(node=node, window=period_window(period, now=now))


def drill_down(
    *, user, node: GridNode, period: Period, department: Department, figure: str, now: datetime
) -> QuerySet:
    """The petitions behind one figure of one department's row (the league's own filters)."""
    access.must_cover(user, node)
    if figure not in FIGURES:
        raise InvalidInput.field("figure", _("Unknown figure."))
    window = period_window(period, now=now)
    Petition = _model("Petition")
    mine = _petitions_in(node).filter(department=department)
    if figure in ("returned", "received"):
        returned = Petition.objects.filter(
            pk__in=returns_in(node, window).filter(department=department).values("petition_id")
        )
        if figure == "returned":
            return returned
        return mine.filter(_in("classified_at", window)) | returned
    if figure == "overdue":
        return Petition.objects.filter(
            pk__in=overdue_rows(node, window).filter(department=department).values("petition_id")
        )
    resolved = mine.filter(_in("resolved_at", window))
    rated = mine.filter(_in("closed_at", window)).exclude(satisfaction="")
    return {
        "resolved": resolved,
        "on_time": resolved.filter(resolved_on_time=True),
        "late": resolved.exclude(resolved_on_time=True),
        "rework": resolved.filter(rework_count__gt=0),
        "rated": rated,
        "satisfied": rated.filter(satisfaction__in=SATISFIED),
    }[figure]


# --- pages' choices and the streets' ratings -------------------------------------------------


def league_periods(*, node: GridNode | None = None) -> QuerySet:
    """The periods a league can be shown for (every period that has started), newest first:
    of `node`'s city (a city's league is over its own periods)."""
    periods = Period.objects.exclude(status=PeriodStatus.DRAFT)
    if node is not None:
        periods = periods.filter(city__tree_id=node.tree_id)
    return periods.order_by("-starts_on", "-id")


def default_period(*, kind: str | None = None, node: GridNode | None = None) -> Period | None:
    periods = league_periods(node=node)
    if kind:
        periods = periods.filter(kind=kind)
    return periods.first()


def league_nodes(*, user) -> list[GridNode]:
    """The nodes whose league the user may open: its scope's roots and their streets."""
    roots = scope_roots(user=user)
    nodes = list(roots)
    for root in roots:
        if root.kind == NodeKind.CITY:
            nodes += list(root.get_children().filter(kind=NodeKind.STREET).order_by("code"))
    return nodes


def rating_streets(*, user) -> list[GridNode]:
    """The streets where the user rates departments (its own street posts)."""
    streets = GridNode.objects.filter(
        kind=NodeKind.STREET,
        posts__user_id=getattr(user, "pk", None),
        posts__is_active=True,
        posts__kind__in=access.LEADING_KINDS,
    )
    if getattr(user, "is_superuser", False):
        streets = GridNode.objects.filter(kind=NodeKind.STREET)
    return list(streets.distinct().order_by("code"))


@dataclass
class RatingLine:
    league: LeagueRow
    rating: object | None  # DepartmentRating


def rating_sheet(*, user, street: GridNode, period: Period, now: datetime) -> list[RatingLine]:
    """The departments that worked in the street in the quarter, with the street's rating of each."""
    access.must_cover(user, street)
    rows = league_for_window(node=street, window=period_window(period, now=now))
    ratings = {
        r.department_id: r
        for r in DepartmentRating.objects.filter(street=street, period=period).select_related("rated_by")
    }
    return [RatingLine(league=row, rating=ratings.get(row.department_id)) for row in rows]


def rating_list(*, user, period: Period | None = None) -> QuerySet:
    """The ratings the user may read: those of the streets its posts cover; department staff
    read their own department's ratings only (never another department's comments)."""
    queryset = DepartmentRating.objects.select_related("street", "department", "period", "rated_by")
    if period is not None:
        queryset = queryset.filter(period=period)
    return access.scope_queryset(
        user,
        queryset,
        node_path="street",
        department_path="department",
        post_kinds=access.TERRITORIAL_KINDS,
    ).order_by("period", "street__code", "department__code")


# --- the published department assessment (public) ------------------------------------------


def board_list() -> QuerySet:
    return DepartmentBoard.objects.select_related("period", "city").order_by(
        "-period__starts_on", "city__code"
    )


def board_get(*, pk: int) -> DepartmentBoard:
    found = board_list().filter(pk=pk).first()
    if found is None:
        raise NotFound()
    return found


def board_rows(*, board: DepartmentBoard) -> list:
    return list(board.rows.select_related("department").order_by("rank", "department__code"))
