"""The built-in sections of a bulletin, over the dashboards' and the assessment's own figures.

- headline: the node's headline figures for the period (dashboards.selectors.headline);
- lights: the children's lights and rates (dashboards.selectors.children);
- grids: every grid of the node ranked by the period's on-time and satisfaction rates
  (dashboards.selectors.children of each community);
- workers: the best and the weakest workers of the latest published assessment period
  (evaluation's scores);
- departments: the department league for the period (evaluation.departments);
- overdue: the Overdue rows whose deadline fell in the period, rendered here;
- accountability: the 追责 cases (supervision) whose deadline fell in the period, by outcome and
  one by one, with the head's review as it stood at the snapshot;
- hotspots: the recurring places (dashboards.hotspots).

Each section costs a fixed number of queries for a given tree (the grids section one per
community), whatever the number of petitions.
"""

from django.db.models import Count
from django.utils import timezone, translation
from django.utils.translation import gettext_noop

from bulletins.sections import Scope, column, register_section
from dashboards import hotspots
from dashboards import selectors as figures
from dashboards.periods import Window
from evaluation.departments import league_for_window
from evaluation.indicators import Window as EvaluationWindow
from evaluation.models import Assessment, Grade, Period, PeriodStatus
from grids.models import NodeKind
from grids.subtree import in_subtree
from petitions.models import Overdue, Step
from supervision.models import Case, CaseKind, ExcuseReason, Outcome

OVERDUE_LIMIT = 50
CASES_LIMIT = 50
GRIDS_LIMIT = 30
WORKERS_TOP = 10
WORKERS_BOTTOM = 5
HOTSPOTS_LIMIT = 10

HEADLINE = (
    ("received", gettext_noop("Petitions received")),
    ("resolved", gettext_noop("Petitions resolved")),
    ("on_time_rate", gettext_noop("Resolved on time (%)")),
    ("satisfaction_rate", gettext_noop("Satisfaction (%)")),
    ("rework_rate", gettext_noop("Rework (%)")),
    ("avg_handling_hours", gettext_noop("Average handling time (hours)")),
    ("open", gettext_noop("Open at the snapshot")),
    ("red", gettext_noop("Red lights at the snapshot")),
    ("yellow", gettext_noop("Yellow lights at the snapshot")),
    ("visit_rate", gettext_noop("Households visited (%)")),
    ("key_overdue", gettext_noop("Key people overdue for a visit")),
    ("workers_active", gettext_noop("Workers active")),
    ("workers", gettext_noop("Workers")),
)


def english(label) -> str:
    """The English msgid behind a lazy choice label (stored, translated when shown)."""
    with translation.override("en"):
        return str(label)


def _window(scope: Scope) -> Window:
    return Window(scope.kind.lower(), scope.first_day, scope.last_day)


def headline(scope: Scope) -> dict:
    values = figures.headline(node=scope.node, window=_window(scope), now=scope.as_of)
    return {
        "columns": [
            column("figure", gettext_noop("Figure"), i18n=True),
            column("value", gettext_noop("Value")),
        ],
        "rows": [[label, values.get(key)] for key, label in HEADLINE],
    }


def lights(scope: Scope) -> dict | None:
    rows = figures.children(node=scope.node, window=_window(scope), now=scope.as_of)
    if not rows:
        return None
    keys = ("received", "red", "yellow", "on_time_rate", "satisfaction_rate", "key_overdue")
    return {
        "columns": [
            column("name", gettext_noop("Area")),
            column("received", gettext_noop("Received")),
            column("red", gettext_noop("Red")),
            column("yellow", gettext_noop("Yellow")),
            column("on_time_rate", gettext_noop("On time (%)")),
            column("satisfaction_rate", gettext_noop("Satisfaction (%)")),
            column("key_overdue", gettext_noop("Key people overdue")),
        ],
        "rows": [[row.node.name, *[row.figures.get(key) for key in keys]] for row in rows],
    }


def _rank_key(row):
    f = row.figures
    return (
        f.get("on_time_rate") is None,
        -(f.get("on_time_rate") or 0),
        -(f.get("satisfaction_rate") or 0),
        f.get("red") or 0,
        -(f.get("received") or 0),
        row.node.code,
    )


def grids(scope: Scope) -> dict | None:
    node = scope.node
    if node.kind == NodeKind.COMMUNITY:
        communities = [node]
    else:
        communities = list(
            node.get_descendants().filter(kind=NodeKind.COMMUNITY).defer("boundary").order_by("code")
        )
    rows = []
    for community in communities:
        for row in figures.children(node=community, window=_window(scope), now=scope.as_of):
            rows.append((community, row))
    if not rows:
        return None
    rows.sort(key=lambda pair: _rank_key(pair[1]))
    keys = ("received", "resolved", "on_time_rate", "satisfaction_rate", "red")
    return {
        "columns": [
            column("rank", gettext_noop("Rank")),
            column("grid", gettext_noop("Grid")),
            column("community", gettext_noop("Community")),
            column("received", gettext_noop("Received")),
            column("resolved", gettext_noop("Resolved")),
            column("on_time_rate", gettext_noop("On time (%)")),
            column("satisfaction_rate", gettext_noop("Satisfaction (%)")),
            column("red", gettext_noop("Red")),
        ],
        "rows": [
            [rank, row.node.name, community.name, *[row.figures.get(key) for key in keys]]
            for rank, (community, row) in enumerate(rows[:GRIDS_LIMIT], start=1)
        ],
        "total": len(rows),
    }


def workers(scope: Scope) -> dict | None:
    period = (
        Period.objects.filter(
            city__tree_id=scope.node.tree_id, status=PeriodStatus.PUBLISHED, ends_on__lte=scope.last_day
        )
        .order_by("-ends_on", "-id")
        .first()
    )
    if period is None:
        return None
    graded = (
        Assessment.objects.filter(in_subtree(scope.node, "grid"), period=period, is_current=True)
        .exclude(grade="")
        .select_related("worker", "grid")
    )
    total = graded.count()
    if not total:
        return None
    ordered = graded.order_by("-total", "grid__code", "worker_id")
    top = list(ordered[:WORKERS_TOP])
    bottom_count = min(WORKERS_BOTTOM, max(0, total - len(top)))
    bottom = list(graded.order_by("total", "-grid__code", "-worker_id")[:bottom_count])[::-1]
    rows = [
        [i, a.worker.display_name, a.grid.name, a.total, english(Grade(a.grade).label)]
        for i, a in enumerate(top, start=1)
    ]
    rows += [
        [
            total - bottom_count + i,
            a.worker.display_name,
            a.grid.name,
            a.total,
            english(Grade(a.grade).label),
        ]
        for i, a in enumerate(bottom, start=1)
    ]
    return {
        "columns": [
            column("rank", gettext_noop("Rank")),
            column("worker", gettext_noop("Worker")),
            column("grid", gettext_noop("Grid")),
            column("total", gettext_noop("Score")),
            column("grade", gettext_noop("Grade"), i18n=True),
        ],
        "rows": rows,
        "total": total,
        "note": period.name,
    }


def departments(scope: Scope) -> dict | None:
    window = EvaluationWindow(start=scope.start, end=scope.end, as_of=min(scope.end, scope.as_of))
    league = league_for_window(node=scope.node, window=window)
    if not league:
        return None
    return {
        "columns": [
            column("rank", gettext_noop("Rank")),
            column("department", gettext_noop("Department")),
            column("received", gettext_noop("Received")),
            column("returned", gettext_noop("Returned")),
            column("on_time_rate", gettext_noop("On time (%)")),
            column("satisfaction_rate", gettext_noop("Satisfaction (%)")),
            column("overdue", gettext_noop("Overdue")),
            column("checkin_rate", gettext_noop("Check-ins on time (%)")),
            column("score", gettext_noop("Score")),
        ],
        "rows": [
            [
                row.rank,
                row.name,
                row.received,
                row.returned,
                row.on_time_rate,
                row.satisfaction_rate,
                row.overdue,
                row.checkin_rate,
                row.score,
            ]
            for row in league
        ],
    }


def overdue(scope: Scope) -> dict:
    rows_in = Overdue.objects.filter(
        in_subtree(scope.node, "grid"), due_at__gte=scope.start, due_at__lt=scope.end
    )
    total = rows_in.count()
    listed = rows_in.select_related("petition", "grid", "user", "department").order_by("due_at", "pk")[
        :OVERDUE_LIMIT
    ]
    rows = [
        [
            o.petition.tracking_code,
            o.grid.name,
            english(Step(o.step).label),
            o.department.name if o.department_id else (o.user.display_name if o.user_id else ""),
            timezone.localtime(o.due_at).strftime("%Y-%m-%d %H:%M"),
        ]
        for o in listed
    ]
    return {
        "columns": [
            column("petition", gettext_noop("Petition")),
            column("grid", gettext_noop("Grid")),
            column("step", gettext_noop("Step"), i18n=True),
            column("responsible", gettext_noop("Responsible")),
            column("due", gettext_noop("Was due")),
        ],
        "rows": rows,
        "total": total,
    }


def _cases(scope: Scope):
    return Case.objects.filter(in_subtree(scope.node, "node"), due_at__gte=scope.start, due_at__lt=scope.end)


def accountability_outcomes(scope: Scope) -> dict | None:
    """How the period's cases stand: per outcome, the cases and how many workers and departments."""
    counts = {
        row["outcome"]: row
        for row in _cases(scope)
        .values("outcome")
        .annotate(
            n=Count("pk"),
            workers=Count("user", distinct=True),
            departments=Count("department", distinct=True),
        )
        .order_by()
    }
    if not counts:
        return None
    return {
        "columns": [
            column("outcome", gettext_noop("Outcome"), i18n=True),
            column("cases", gettext_noop("Cases")),
            column("workers", gettext_noop("Workers")),
            column("departments", gettext_noop("Departments")),
        ],
        "rows": [
            [
                english(outcome.label),
                counts[outcome]["n"],
                counts[outcome]["workers"],
                counts[outcome]["departments"],
            ]
            for outcome in Outcome
            if outcome in counts
        ],
    }


def accountability(scope: Scope) -> dict | None:
    cases = _cases(scope)
    total = cases.count()
    if not total:
        return None
    listed = cases.select_related(
        "petition", "checkin__whistle", "checkin__department", "node", "user", "department"
    ).order_by("due_at", "pk")[:CASES_LIMIT]
    rows = []
    for case in listed:
        if case.kind == CaseKind.CHECKIN:
            subject = case.checkin.whistle.title
        else:
            subject = case.petition.tracking_code if case.petition_id else ""
        responsible = (
            case.department.name if case.department_id else (case.user.display_name if case.user_id else "")
        )
        rows.append(
            [
                english(CaseKind(case.kind).label),
                subject,
                case.node.name,
                responsible,
                timezone.localtime(case.due_at).strftime("%Y-%m-%d %H:%M"),
                english(Outcome(case.outcome).label),
                english(ExcuseReason(case.reason).label) if case.reason else "",
            ]
        )
    return {
        "columns": [
            column("kind", gettext_noop("Kind"), i18n=True),
            column("subject", gettext_noop("Petition or whistle")),
            column("node", gettext_noop("Area")),
            column("responsible", gettext_noop("Responsible")),
            column("due", gettext_noop("Was due")),
            column("outcome", gettext_noop("Outcome"), i18n=True),
            column("reason", gettext_noop("Excuse"), i18n=True),
        ],
        "rows": rows,
        "total": total,
    }


def hot(scope: Scope) -> dict | None:
    places = hotspots.recurring_places(node=scope.node, now=min(scope.end, scope.as_of), limit=HOTSPOTS_LIMIT)
    return {
        "columns": [
            column("grid", gettext_noop("Grid")),
            column("category", gettext_noop("Category")),
            column("place", gettext_noop("Place")),
            column("count", gettext_noop("Petitions")),
            column("returns", gettext_noop("Returns")),
            column("department", gettext_noop("Department")),
        ],
        "rows": [[p.grid_name, p.category, p.key, p.count, p.returns, p.department] for p in places],
    }


register_section("headline", title=gettext_noop("Headline figures"), build=headline, order=10)
register_section("lights", title=gettext_noop("Lights by area"), build=lights, order=20)
register_section("grids", title=gettext_noop("Ranking of grids"), build=grids, order=30)
register_section("workers", title=gettext_noop("Ranking of workers"), build=workers, order=40)
register_section("departments", title=gettext_noop("Ranking of departments"), build=departments, order=50)
register_section("overdue", title=gettext_noop("Overdue cases"), build=overdue, order=60)
register_section(
    "accountability_outcomes",
    title=gettext_noop("Accountability by outcome"),
    build=accountability_outcomes,
    order=64,
)
register_section("accountability", title=gettext_noop("Accountability cases"), build=accountability, order=65)
register_section("hotspots", title=gettext_noop("Hotspots"), build=hot, order=70)
