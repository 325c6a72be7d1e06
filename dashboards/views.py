from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from dashboards import (
    deliberation_figures,
    exports,
    history,
    hotspots,
    mediation_figures,
    selectors,
    targeted,
)
from dashboards.cache import cached
from dashboards.periods import window_from
from evaluation.departments import league_for_window
from evaluation.indicators import Window as LeagueWindow
from grids.models import GridNode
from grids.selectors import visible_ancestors
from hlgrid import xlsx
from hlgrid.errors import DomainError
from hlgrid.ids import parse_id
from lists import selectors as lists_selectors
from property import selectors as property_selectors
from residents.heads import head_counts

SORTABLE = {"name", *selectors.FIGURES}


def _window(request):
    try:
        return window_from(request.GET), None
    except DomainError as exc:
        return window_from({}), exc


def _context(request, node: GridNode) -> dict:
    window, error = _window(request)
    now = timezone.now()
    figures = cached(
        "headline", node, window.key, lambda: selectors.headline(node=node, window=window, now=now)
    )
    rows = cached("children", node, window.key, lambda: selectors.children(node=node, window=window, now=now))
    board = cached("lights", node, "now", lambda: selectors.lights_board(node=node, now=now))
    trend = cached("trends", node, "now", lambda: selectors.trends(node=node, now=now))
    disputes = cached("mediation", node, "now", lambda: mediation_figures.panel(node=node, now=now))
    compounds = cached("property", node, "now", lambda: property_selectors.node_figures(node=node))
    four_lists = cached("lists", node, "now", lambda: lists_selectors.node_figures(node=node))
    heads = cached("heads", node, "now", lambda: head_counts(node=node))
    league = cached("league", node, window.key, lambda: _league(node, window, now))
    sort = request.GET.get("sort", "name")
    descending = sort.startswith("-")
    key = sort.lstrip("-")
    if key in SORTABLE:
        if key == "name":
            rows = sorted(rows, key=lambda r: r.node.code, reverse=descending)
        else:
            rows = sorted(
                rows,
                key=lambda r: (r.figures.get(key) is None, r.figures.get(key) or 0),
                reverse=descending,
            )
    return {
        "node": node,
        "ancestors": visible_ancestors(user=request.user, node=node),
        "window": window,
        "window_error": error,
        "figures": figures,
        "rows": rows,
        "board": board,
        "trend": trend,
        "mediation": disputes,
        "property": compounds,
        "lists": four_lists,
        "heads": heads,
        "league": league,
        "map": selectors.map_features(node=node, rows=rows),
        "deliberation": deliberation_figures.figures(node=node, now=now),
        "sort": sort,
        "columns": [("name", pgettext("node", "Name")), *exports.columns()],
        "query": request.GET.urlencode(),
        "period_query": "&".join(
            f"{k}={v}" for k, v in request.GET.items() if k in ("period", "start", "end")
        ),
    }


LEAGUE_ROWS = 5


def _league(node: GridNode, window, now) -> list:
    """The department league's top rows over the dashboard's window (evaluation.departments)."""
    rows = league_for_window(
        node=node, window=LeagueWindow(start=window.start, end=window.end, as_of=min(window.end, now))
    )
    return rows[:LEAGUE_ROWS]


@login_required
def index(request):
    node = selectors.default_node(user=request.user)
    if node is None:
        return render(request, "dashboards/no_scope.html", status=404)
    return redirect("dashboards:node", pk=node.pk)


@login_required
def node(request, pk: int):
    node = selectors.node_get(user=request.user, pk=pk)
    return render(request, "dashboards/node.html", _context(request, node))


@login_required
def wall(request, pk: int):
    node = selectors.node_get(user=request.user, pk=pk)
    template = "dashboards/_wall_body.html" if request.htmx else "dashboards/wall.html"
    return render(request, template, _context(request, node))


@login_required
def export_children(request, pk: int):
    node = selectors.node_get(user=request.user, pk=pk)
    context = _context(request, node)
    book = exports.children_workbook(
        node=node, window=context["window"], rows=context["rows"], figures=context["figures"]
    )
    return xlsx.response(book, f"{node.code}-{context['window'].key}.xlsx")


def _crumbs(request, node) -> dict:
    return {"node": node, "ancestors": visible_ancestors(user=request.user, node=node)}


@login_required
def history_page(request, pk: int):
    node = selectors.node_get(user=request.user, pk=pk)
    return render(
        request,
        "dashboards/history.html",
        {
            **_crumbs(request, node),
            "quality": history.quality(node=node),
            "categories": history.by_category(node=node),
            "seasons": history.by_season(node=node),
            "months": history.by_month(node=node),
        },
    )


@login_required
def hotspots_page(request, pk: int):
    node = selectors.node_get(user=request.user, pk=pk)
    now = timezone.now()
    return render(
        request,
        "dashboards/hotspots.html",
        {
            **_crumbs(request, node),
            "heat": hotspots.heat(node=node, now=now),
            "outline": hotspots.outline(node=node),
            "places": hotspots.recurring_places(node=node, now=now, limit=20),
            "reporters": hotspots.recurring_reporters(node=node, now=now),
            "minimum": hotspots.RECURRING_MIN,
            "months": hotspots.RECURRING_MONTHS,
            "return_days": hotspots.RETURN_DAYS,
        },
    )


@login_required
def targeted_page(request, pk: int):
    node = selectors.node_get(user=request.user, pk=pk)
    now = timezone.now()
    error = None
    if request.method == "POST":
        try:
            targeted.action_create(
                actor=request.user,
                node=node,
                kind=request.POST.get("kind", ""),
                grid_id=parse_id(request.POST.get("grid")),
                place=request.POST.get("place", ""),
                category_id=parse_id(request.POST.get("category")) if request.POST.get("category") else None,
                now=now,
            )
            messages.success(request, _("The action was created and linked to the problem."))
            return redirect("dashboards:targeted", pk=node.pk)
        except DomainError as exc:
            error = exc
    return render(
        request,
        "dashboards/targeted.html",
        {
            **_crumbs(request, node),
            "problems": targeted.problems(node=node, now=now),
            "actions": targeted.ACTIONS,
            "error": error,
        },
        status=400 if error else 200,
    )
