"""HTML pages of departments under the same light: the league of a node and period (with its
Excel export and the petitions behind each figure), the street's quarterly ratings of its
departments (评价权), and the published department assessment (public, like the star board).
Thin: evaluation.departments and evaluation.services do the work."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from evaluation import departments, exports, services
from evaluation.models import PeriodKind
from evaluation.policy import is_assessor, may_rate_departments
from evaluation.services.departments import board_published, city_of
from grids import access
from grids.models import Department, GridNode, NodeKind
from hlgrid import xlsx
from hlgrid.errors import DomainError, NotFound
from hlgrid.ids import parse_id

FIGURE_LABELS = {
    "received": gettext_lazy("received"),
    "returned": gettext_lazy("returned"),
    "resolved": gettext_lazy("resolved"),
    "on_time": gettext_lazy("resolved on time"),
    "late": gettext_lazy("resolved late"),
    "rework": gettext_lazy("reworked"),
    "rated": gettext_lazy("rated"),
    "satisfied": gettext_lazy("satisfied"),
    "overdue": gettext_lazy("overdue"),
}


def _node(request, nodes):
    """The node asked for (`node`), which the user must cover (404 otherwise), or its first."""
    wanted = parse_id(request.GET.get("node"))
    if wanted is None:
        return nodes[0] if nodes else None
    node = GridNode.objects.filter(pk=wanted).first()
    if node is None:
        raise Http404
    if not access.covers(request.user, node):
        raise Http404
    return node


def _period(request, *, node=None, kind=None):
    """The period asked for (of the node's city: 404 for another city's), or the latest."""
    wanted = parse_id(request.GET.get("period"))
    if wanted is None:
        return departments.default_period(kind=kind, node=node)
    period = departments.league_periods(node=node).filter(pk=wanted).first()
    if period is None:
        raise Http404
    return period


@login_required
@require_safe
def league(request):
    nodes = departments.league_nodes(user=request.user)
    node = _node(request, nodes)
    period = _period(request, node=node)
    if node is None or period is None:
        return render(request, "evaluation/departments/league.html", {"node": None, "period": period})
    rows = departments.league(user=request.user, node=node, period=period, now=timezone.now())
    if request.GET.get("format") == "xlsx":
        content = exports.league_workbook(rows=rows, node=node, period=period)
        return xlsx.response(content, f"department-league-{node.code}-{period.pk}.xlsx")
    base = {"node": node.pk, "period": period.pk}
    context = {
        "node": node,
        "nodes": nodes if node in nodes else [node, *nodes],
        "period": period,
        "periods": list(departments.league_periods(node=node)[:12]),
        "rows": rows,
        "drill": reverse("evaluation:department-petitions") + "?" + urlencode(base),
        "export": reverse("evaluation:departments") + "?" + urlencode({**base, "format": "xlsx"}),
        "may_rate": node.kind == NodeKind.STREET and may_rate_departments(request.user, node),
        "may_publish": (
            node.kind == NodeKind.CITY
            and period.kind == PeriodKind.QUARTER
            and is_assessor(request.user)
            and not board_published(period, node)
        ),
        "board": departments.board_list().filter(period=period, city=city_of(node)).first(),
    }
    return render(request, "evaluation/departments/league.html", context)


@login_required
@require_safe
def petitions(request):
    """The petitions behind one figure of one department's league row."""
    node = _node(request, [])
    if node is None:
        raise Http404
    period = _period(request, node=node)
    department = Department.objects.filter(
        city__tree_id=node.tree_id, pk=parse_id(request.GET.get("department"))
    ).first()
    figure = request.GET.get("figure", "")
    if node is None or period is None or department is None or figure not in departments.FIGURES:
        raise Http404
    found = departments.drill_down(
        user=request.user, node=node, period=period, department=department, figure=figure, now=timezone.now()
    )
    found = found.select_related("grid", "category").order_by("-received_at", "-id").distinct()
    page = Paginator(found, 50).get_page(request.GET.get("page"))
    context = {
        "node": node,
        "period": period,
        "department": department,
        "figure": FIGURE_LABELS[figure],
        "page": page,
        "petitions": list(page.object_list),
        "back": reverse("evaluation:departments") + "?" + urlencode({"node": node.pk, "period": period.pk}),
    }
    return render(request, "evaluation/departments/petitions.html", context)


@login_required
def ratings(request):
    """A street's heads and officials rate the departments that worked in the street (评价权)."""
    streets = departments.rating_streets(user=request.user)
    street = _node(request, streets)
    if street is not None and street.kind != NodeKind.STREET:
        raise Http404
    period = _period(request, node=street, kind=PeriodKind.QUARTER)
    context = {"street": street, "streets": streets, "period": period}
    if street is None or period is None:
        return render(request, "evaluation/departments/ratings.html", context)
    errors = {}
    if request.method == "POST":
        department = Department.objects.filter(
            city__tree_id=street.tree_id, pk=parse_id(request.POST.get("department"))
        ).first()
        try:
            if department is None:
                raise Http404
            services.department_rating_save(
                actor=request.user,
                street=street,
                department=department,
                period=period,
                score=request.POST.get("score", ""),
                comments=request.POST.get("comments", ""),
            )
        except DomainError as exc:
            errors[department.pk] = exc
        else:
            messages.success(request, _("Rating of %(name)s saved.") % {"name": department.name})
            return redirect(
                f"{reverse('evaluation:department-ratings')}?street={street.pk}&period={period.pk}"
            )
    lines = departments.rating_sheet(user=request.user, street=street, period=period, now=timezone.now())
    context.update(
        lines=lines,
        errors=errors,
        posted=request.POST if request.method == "POST" else {},
        periods=list(departments.league_periods(node=street).filter(kind=PeriodKind.QUARTER)[:8]),
        may_rate=may_rate_departments(request.user, street),
        published=board_published(period, city_of(street)),
    )
    return render(request, "evaluation/departments/ratings.html", context)


@login_required
@require_POST
def publish(request):
    """An assessor publishes the city's department assessment for a quarter."""
    if not is_assessor(request.user):
        raise Http404
    city = GridNode.objects.filter(pk=parse_id(request.POST.get("city")), kind=NodeKind.CITY).first()
    period = (
        departments.league_periods(node=city).filter(pk=parse_id(request.POST.get("period"))).first()
        if city is not None
        else None
    )
    if period is None or city is None:
        raise Http404
    try:
        board = services.department_board_publish(actor=request.user, period=period, city=city)
    except DomainError as exc:
        messages.error(request, exc.detail)
        return redirect(f"{reverse('evaluation:departments')}?node={city.pk}&period={period.pk}")
    messages.success(request, _("The department assessment is published."))
    return redirect("evaluation:department-board", pk=board.pk)


@require_safe
def boards(request):
    """部门考核公示: the published department assessments, newest first (public)."""
    wanted = parse_id(request.GET.get("board"))
    latest = (
        departments.board_list().filter(pk=wanted).first() if wanted else departments.board_list().first()
    )
    if latest is None and wanted:
        raise Http404
    if latest is None:
        return render(request, "evaluation/departments/board.html", {"board": None, "boards": []})
    return redirect("evaluation:department-board", pk=latest.pk)


@require_safe
def board(request, pk: int):
    try:
        found = departments.board_get(pk=pk)
    except NotFound:
        raise Http404 from None
    context = {
        "board": found,
        "rows": departments.board_rows(board=found),
        "boards": list(departments.board_list()[:20]),
    }
    return render(request, "evaluation/departments/board.html", context)
