from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import pgettext

from dashboards import deliberation_figures, exports, mediation_figures, selectors
from dashboards.cache import cached
from dashboards.periods import window_from
from grids.models import GridNode
from grids.selectors import visible_ancestors
from hlgrid import xlsx
from hlgrid.errors import DomainError
from property import selectors as property_selectors

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
        "map": selectors.map_features(node=node, rows=rows),
        "deliberation": deliberation_figures.figures(node=node, now=now),
        "sort": sort,
        "columns": [("name", pgettext("node", "Name")), *exports.columns()],
        "query": request.GET.urlencode(),
        "period_query": "&".join(
            f"{k}={v}" for k, v in request.GET.items() if k in ("period", "start", "end")
        ),
    }


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
