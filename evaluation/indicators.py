"""Automatic indicators, computed in SQL from petitions, residents, party and mediation.

Each source is one grouped aggregate (key-person visits: one per key group), so a
period's computation runs a fixed number of queries whatever the number of workers.
The apps are read through the app registry: when petitions or residents is not
installed, its indicators have no data (and say so) instead of failing.

The same filters give the drill-down (`evidence`): which petitions were late, which
households were not visited — the records behind each point.

Attribution:
- petitions count for their assignee: resolved in the period (on time, rework), closed
  with a callback rating in the period (satisfaction: satisfied or partly satisfied);
- an Overdue row counts for its responsible user when its deadline fell in the period, unless
  its accountability case was excused (supervision.selectors.counted_overdues);
- household coverage and key-person visits are the grid's (its workers share the grid):
  households of the grid visited by anyone in the period; key people visited within their
  group's interval before the period's end (or now, for a running period), counting only
  memberships that were due in that time.
"""

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.apps import apps
from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from evaluation.models import Period, Source
from grids.models import GridNode
from supervision.selectors import counted_overdues


@dataclass(frozen=True)
class Window:
    start: datetime
    end: datetime  # exclusive
    as_of: datetime  # min(end, now, closed early): key-person intervals count back from here
    tree_id: int | None = None  # the period's city (its tree): its workers and key groups only


def period_window(period: Period, *, now: datetime) -> Window:
    tz = ZoneInfo(settings.TIME_ZONE)
    start = datetime.combine(period.starts_on, time.min, tzinfo=tz)
    end = datetime.combine(period.ends_on + timedelta(days=1), time.min, tzinfo=tz)
    as_of = min(end, now)
    if period.closed_early_at is not None:  # closed early: its data ends when it was closed
        as_of = min(as_of, period.closed_early_at)
    tree_id = GridNode.objects.filter(pk=period.city_id).values_list("tree_id", flat=True).first()
    return Window(start=start, end=end, as_of=as_of, tree_id=tree_id)


def petitions_installed() -> bool:
    return apps.is_installed("petitions")


def party_installed() -> bool:
    return apps.is_installed("party")


# Sources whose raw value is a count per worker rather than a percentage.
COUNTS = {Source.OVERDUE, Source.WINDOW_SERVICES}


def residents_installed() -> bool:
    return apps.is_installed("residents")


def mediation_installed() -> bool:
    return apps.is_installed("mediation")


# For each source: is it keyed by worker (user id) or by grid (node id)?
# Disputes and the monthly 排查 are the grid's, like its households: its workers share them.
BY_GRID = {Source.HOUSEHOLD_COVERAGE, Source.KEY_VISITS, Source.MEDIATION_SUCCESS, Source.REPORT_PUNCTUALITY}
MEDIATION_SOURCES = {Source.MEDIATION_SUCCESS: "success", Source.REPORT_PUNCTUALITY: "punctuality"}


def _petitions():
    return apps.get_model("petitions", "Petition").objects


def _resolved(window: Window) -> Q:
    return Q(resolved_at__gte=window.start, resolved_at__lt=window.end, assignee__isnull=False)


def _rated(window: Window) -> Q:
    return (
        Q(closed_at__gte=window.start, closed_at__lt=window.end, assignee__isnull=False)
        & ~Q(satisfaction="")
        & Q(satisfaction__isnull=False)
    )


def _households_visited(window: Window):
    Visit = apps.get_model("residents", "Visit")
    return Visit.objects.filter(
        household=OuterRef("pk"), visited_at__gte=window.start, visited_at__lt=window.end
    )


def automatic_values(window: Window, sources: set[str]) -> dict[str, dict[int, tuple[int, int]]]:
    """{source: {worker or grid id: (numerator, denominator)}}; OVERDUE: (count, count)."""
    values: dict[str, dict[int, tuple[int, int]]] = {}
    if petitions_installed():
        Petition = apps.get_model("petitions", "Petition")
        if sources & {Source.ON_TIME, Source.REWORK}:
            rows = (
                Petition.objects.filter(_resolved(window))
                .values("assignee_id")
                .annotate(
                    n=Count("id"),
                    on_time=Count("id", filter=Q(resolved_on_time=True)),
                    rework=Count("id", filter=Q(rework_count__gt=0)),
                )
                .order_by()
            )
            values[Source.ON_TIME], values[Source.REWORK] = {}, {}
            for row in rows:
                values[Source.ON_TIME][row["assignee_id"]] = (row["on_time"], row["n"])
                values[Source.REWORK][row["assignee_id"]] = (row["rework"], row["n"])
        if Source.SATISFACTION in sources:
            rows = (
                Petition.objects.filter(_rated(window))
                .values("assignee_id")
                .annotate(n=Count("id"), ok=Count("id", filter=Q(satisfaction__in=["SATISFIED", "PARTLY"])))
                .order_by()
            )
            values[Source.SATISFACTION] = {r["assignee_id"]: (r["ok"], r["n"]) for r in rows}
        if Source.OVERDUE in sources:
            Overdue = apps.get_model("petitions", "Overdue")
            rows = (
                counted_overdues(
                    Overdue.objects.filter(
                        user__isnull=False, due_at__gte=window.start, due_at__lt=window.end
                    )
                )
                .values("user_id")
                .annotate(n=Count("id"))
                .order_by()
            )
            values[Source.OVERDUE] = {r["user_id"]: (r["n"], r["n"]) for r in rows}
    if residents_installed():
        if Source.HOUSEHOLD_COVERAGE in sources:
            Household = apps.get_model("residents", "Household")
            rows = (
                Household.objects.filter(created_at__lt=window.end)
                .values("grid_id")
                .annotate(n=Count("id"), visited=Count("id", filter=Q(Exists(_households_visited(window)))))
                .order_by()
            )
            values[Source.HOUSEHOLD_COVERAGE] = {r["grid_id"]: (r["visited"], r["n"]) for r in rows}
        if Source.KEY_VISITS in sources:
            values[Source.KEY_VISITS] = _key_visits(window)
    if party_installed() and Source.WINDOW_SERVICES in sources:
        # 全科社工: services handled at a window count for the worker like visits do.
        from party.selectors import window_service_counts

        counts = window_service_counts(start=window.start, end=window.end)
        values[Source.WINDOW_SERVICES] = {worker_id: (n, n) for worker_id, n in counts.items()}
    if mediation_installed() and sources & set(MEDIATION_SOURCES):
        # 矛盾纠纷: cases concluded in the period settled by mediation; months reported on time
        from mediation.selectors import indicator_values

        found = indicator_values(start=window.start, end=window.end, as_of=window.as_of)
        for source, key in MEDIATION_SOURCES.items():
            if source in sources:
                values[source] = found[key]
    return values


def _key_memberships(window: Window, group) -> tuple[QuerySet, Q]:
    """Memberships of `group` that were due within the window, and the "visited in time" test."""
    KeyMembership = apps.get_model("residents", "KeyMembership")
    Visit = apps.get_model("residents", "Visit")
    since = window.as_of - timedelta(days=group.visit_interval_days)
    due = KeyMembership.objects.filter(group=group, is_active=True, since__lte=since.date())
    visited = Visit.objects.filter(
        household_id=OuterRef("resident__household_id"), visited_at__gte=since, visited_at__lt=window.as_of
    )
    return due, Q(Exists(visited))


def _city_groups(KeyGroup, window: Window):
    groups = KeyGroup.objects.order_by("id")
    return groups if window.tree_id is None else groups.filter(city__tree_id=window.tree_id)


def _key_visits(window: Window) -> dict[int, tuple[int, int]]:
    KeyGroup = apps.get_model("residents", "KeyGroup")
    totals: dict[int, list[int]] = {}
    # One query per key group of the city (five groups), not per worker.
    for group in _city_groups(KeyGroup, window):
        due, visited = _key_memberships(window, group)
        for row in due.values("grid_id").annotate(n=Count("id"), ok=Count("id", filter=visited)).order_by():
            pair = totals.setdefault(row["grid_id"], [0, 0])
            pair[0] += row["ok"]
            pair[1] += row["n"]
    return {grid: (ok, n) for grid, (ok, n) in totals.items()}


# --- drill-down: the records behind a line ---------------------------------------------------


@dataclass
class Evidence:
    """What an indicator's points rest on: the records that cost points (`rows`, as before)
    and, where the indicator is a rate, the records that counted for the worker
    (`counted_rows`: the 40 petitions resolved on time, not only the 2 late ones). Both lists
    are capped; `total` and `counted_total` are the full counts."""

    title: str
    columns: list[str]
    rows: list[list]
    counted_title: str = ""
    counted_rows: list[list] = field(default_factory=list)
    total: int | None = None
    counted_total: int = 0

    def __post_init__(self):
        if self.total is None:
            self.total = len(self.rows)


def evidence(*, source: str, window: Window, worker_id: int, grid_id: int, period: Period, limit: int = 500):
    """The records behind an indicator for one worker: (rows that cost points, rows that counted)."""
    from django.utils.translation import gettext as _

    from evaluation.models import Inspection

    if source == Source.INSPECTION:
        rows = Inspection.objects.filter(period=period, worker_id=worker_id).select_related("inspector")
        return Evidence(
            _("Inspections"),
            [_("When"), _("Method"), _("Mode"), _("Score"), _("Inspector"), _("Notes")],
            [
                [
                    i.inspected_at,
                    i.get_method_display(),
                    i.get_mode_display(),
                    i.score,
                    str(i.inspector),
                    i.notes,
                ]
                for i in rows[:limit]
            ],
        )
    if source in {Source.ON_TIME, Source.REWORK, Source.SATISFACTION}:
        if not petitions_installed():
            return Evidence(_("Petitions"), [], [])
        base = _petitions().filter(assignee_id=worker_id)
        if source == Source.ON_TIME:
            scope = base.filter(_resolved(window))
            good = Q(resolved_on_time=True)
            title, counted_title = _("Petitions not resolved on time"), _("Petitions resolved on time")
        elif source == Source.REWORK:
            scope = base.filter(_resolved(window))
            good = Q(rework_count=0)
            title, counted_title = _("Petitions reopened (rework)"), _("Petitions resolved without rework")
        else:
            scope = base.filter(_rated(window))
            good = Q(satisfaction__in=["SATISFIED", "PARTLY"])
            title, counted_title = _("Petitions rated unsatisfied"), _("Petitions rated satisfied")
        counts = scope.aggregate(n=Count("id"), ok=Count("id", filter=good))

        def rows_of(qs):
            return [
                [p.tracking_code, p.received_at, p.handle_due_at, p.resolved_at, p.rework_count,
                 p.get_satisfaction_display()]
                for p in qs.order_by("resolved_at", "id")[:limit]
            ]  # fmt: skip

        return Evidence(
            title,
            [_("Tracking code"), _("Received"), _("Handling due"), _("Resolved"), _("Rework"), _("Rating")],
            rows_of(scope.exclude(good)),
            counted_title=counted_title,
            counted_rows=rows_of(scope.filter(good)),
            total=counts["n"] - counts["ok"],
            counted_total=counts["ok"],
        )
    if source == Source.OVERDUE:
        if not petitions_installed():
            return Evidence(_("Overdue steps"), [], [])
        Overdue = apps.get_model("petitions", "Overdue")
        qs = counted_overdues(
            Overdue.objects.filter(user_id=worker_id, due_at__gte=window.start, due_at__lt=window.end)
        )
        return Evidence(
            _("Overdue steps"),
            [_("Tracking code"), _("Step"), _("Was due"), _("Recorded")],
            [
                [o.petition.tracking_code, o.get_step_display(), o.due_at, o.recorded_at]
                for o in qs.select_related("petition").order_by("due_at")[:limit]
            ],
        )
    if source == Source.WINDOW_SERVICES:
        if not party_installed():
            return Evidence(_("Services handled at a window"), [], [])
        WindowService = apps.get_model("party", "WindowService")
        qs = (
            WindowService.objects.filter(
                worker_id=worker_id, served_at__gte=window.start, served_at__lt=window.end
            )
            .select_related("window", "item")
            .order_by("served_at", "id")
        )
        return Evidence(
            _("Services handled at a window"),
            [_("When"), _("Window"), _("Service item"), _("Minutes")],
            [[s.served_at, s.window.name, s.item.name, s.minutes] for s in qs[:limit]],
        )
    if source in MEDIATION_SOURCES:
        if source == Source.MEDIATION_SUCCESS:
            title = _("Disputes referred on instead of settled")
            columns = [_("Case"), _("Kind"), _("Registered at"), _("Concluded at"), _("Referred to")]
        else:
            title = _("Monthly dispute reports not on time")
            columns = [_("Month"), _("Status"), _("Was due"), _("Reported at")]
        if not mediation_installed():
            return Evidence(title, [], [])
        from mediation.selectors import indicator_evidence

        rows = indicator_evidence(
            which=MEDIATION_SOURCES[source],
            grid_id=grid_id,
            start=window.start,
            end=window.end,
            as_of=window.as_of,
        )
        return Evidence(title, columns, rows[:limit])
    if source == Source.HOUSEHOLD_COVERAGE:
        if not residents_installed():
            return Evidence(_("Households not visited"), [], [])
        Household = apps.get_model("residents", "Household")
        scope = Household.objects.filter(grid_id=grid_id, created_at__lt=window.end).order_by("label")
        visited = Exists(_households_visited(window))
        counts = scope.aggregate(n=Count("id"), ok=Count("id", filter=Q(visited)))
        return Evidence(
            _("Households not visited"),
            [_("Household")],
            [[h.label] for h in scope.exclude(visited)[:limit]],
            counted_title=_("Households visited"),
            counted_rows=[[h.label] for h in scope.filter(visited)[:limit]],
            total=counts["n"] - counts["ok"],
            counted_total=counts["ok"],
        )
    if source == Source.KEY_VISITS:
        if not residents_installed():
            return Evidence(_("Key people not visited in time"), [], [])
        from hlgrid.crypto import mask_name

        KeyGroup = apps.get_model("residents", "KeyGroup")
        rows, counted = [], []
        missed_n = counted_n = 0
        # One query per key group and kind of row (five groups), not per person.
        for group in _city_groups(KeyGroup, window):
            due, visited = _key_memberships(window, group)
            due = due.filter(grid_id=grid_id).select_related("resident__household").order_by("id")
            for target, qs in ((rows, due.exclude(visited)), (counted, due.filter(visited))):
                for m in qs[:limit]:
                    target.append(
                        [
                            mask_name(m.resident.name),
                            group.name,
                            m.resident.household.label,
                            m.last_visited_at,
                        ]
                    )
            found = due.aggregate(n=Count("id"), ok=Count("id", filter=visited))
            missed_n += found["n"] - found["ok"]
            counted_n += found["ok"]
        return Evidence(
            _("Key people not visited in time"),
            [_("Person"), _("Group"), _("Household"), _("Last visited")],
            rows[:limit],
            counted_title=_("Key people visited in time"),
            counted_rows=counted[:limit],
            total=missed_n,
            counted_total=counted_n,
        )
    return Evidence("", [], [])
