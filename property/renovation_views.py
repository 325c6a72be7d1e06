"""Pages of old-compound renovation (老旧小区改造): projects with their budget by funding source,
spending, milestones with photos and the residents' survey; thin views like property.views."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hlgrid import media, xlsx
from hlgrid.errors import DomainError
from hlgrid.ids import parse_id
from property import exports, policy, selectors, services
from property.models import (
    FundingSource,
    ProjectStatus,
    ScopeItem,
)
from property.views import chosen_node, nodes_for_filter, problems_of, show_problems

# --- renovations ------------------------------------------------------------------------------


@login_required
def renovations(request):
    node = chosen_node(request)
    status = request.GET.get("status", "")
    status = status if status in ProjectStatus.values else ""
    return render(
        request,
        "property/renovations.html",
        {
            "section": "renovations",
            "projects": selectors.renovation_list_page(user=request.user, node=node, status=status)[:200],
            "totals": selectors.renovation_totals(user=request.user),
            "node": node,
            "nodes": nodes_for_filter(request.user),
            "status": status,
            "statuses": ProjectStatus.choices,
        },
    )


@login_required
def renovations_export(request):
    content = exports.renovation_workbook(user=request.user)
    return xlsx.response(content, _("renovation-totals") + ".xlsx")


def _project_form_context(request, compound, project=None, values=None, problems=None) -> dict:
    return {
        "section": "renovations",
        "compound": compound,
        "project": project,
        "values": values or {},
        "chosen": (values or {}).get("scope") or [],
        "problems": problems or [],
        "scope_items": ScopeItem.choices,
        "statuses": ProjectStatus.choices,
    }


@login_required
def renovation_new(request):
    compound_id = parse_id(request.GET.get("compound") or request.POST.get("compound"))
    found = selectors.compound_get(user=request.user, pk=compound_id or 0)
    if not policy.may_edit(request.user, found.community):
        raise Http404
    if request.method == "POST":
        try:
            project = services.renovation_create(
                actor=request.user,
                compound=found,
                name=request.POST.get("name", ""),
                year=request.POST.get("year", ""),
                scope=request.POST.getlist("scope"),
                started_on=request.POST.get("started_on") or None,
                topic=request.POST.get("topic") or None,
            )
        except DomainError as exc:
            values = {**request.POST.dict(), "scope": request.POST.getlist("scope")}
            context = _project_form_context(request, found, values=values, problems=problems_of(exc))
            return render(request, "property/renovation_form.html", context, status=400)
        messages.success(request, _("Renovation project created."))
        return redirect("property:renovation", project.pk)
    values = {"year": timezone.localdate().year, "name": f"{found.name}"}
    return render(
        request, "property/renovation_form.html", _project_form_context(request, found, values=values)
    )


@login_required
def renovation(request, pk: int):
    project = selectors.renovation_get(user=request.user, pk=pk)
    lines = {line.source: line for line in project.budget_lines.all()}
    budget = [(value, label, lines.get(value)) for value, label in FundingSource.choices]
    milestones = project.milestones.prefetch_related("photos")
    return render(
        request,
        "property/renovation.html",
        {
            "section": "renovations",
            "project": project,
            "budget": budget,
            "spending": project.spending.all(),
            "milestones": milestones,
            "survey": selectors.survey_figures(project=project),
            "over": project.spent_total > project.budget_total,
            "left": project.budget_total - project.spent_total,
            "scope_labels": [label for value, label in ScopeItem.choices if value in project.scope],
            "may_edit": policy.may_edit(request.user, project.compound.community),
            "sources": FundingSource.choices,
            "today": timezone.localdate(),
        },
    )


@login_required
def renovation_edit(request, pk: int):
    project = selectors.renovation_get(user=request.user, pk=pk)
    if not policy.may_edit(request.user, project.compound.community):
        raise Http404
    if request.method == "POST":
        try:
            services.renovation_update(
                actor=request.user,
                project=project,
                name=request.POST.get("name", ""),
                year=request.POST.get("year", ""),
                scope=request.POST.getlist("scope"),
                status=request.POST.get("status", ""),
                started_on=request.POST.get("started_on") or None,
                completed_on=request.POST.get("completed_on") or None,
                topic=request.POST.get("topic") or None,
            )
        except DomainError as exc:
            values = {**request.POST.dict(), "scope": request.POST.getlist("scope")}
            context = _project_form_context(
                request, project.compound, project, values=values, problems=problems_of(exc)
            )
            return render(request, "property/renovation_form.html", context, status=400)
        messages.success(request, _("Renovation project saved."))
        return redirect("property:renovation", project.pk)
    values = {
        "name": project.name,
        "year": project.year,
        "scope": project.scope,
        "status": project.status,
        "started_on": project.started_on.isoformat() if project.started_on else "",
        "completed_on": project.completed_on.isoformat() if project.completed_on else "",
        "topic": project.topic_id or "",
    }
    return render(
        request,
        "property/renovation_form.html",
        _project_form_context(request, project.compound, project, values),
    )


def _act(request, pk: int, do, done: str):
    project = selectors.renovation_get(user=request.user, pk=pk)
    try:
        do(project)
        messages.success(request, done)
    except DomainError as exc:
        show_problems(request, exc)
    return redirect("property:renovation", project.pk)


@login_required
@require_POST
def renovation_budget(request, pk: int):
    def do(project):
        services.budget_line_set(
            actor=request.user,
            project=project,
            source=request.POST.get("source", ""),
            amount=request.POST.get("amount"),
        )

    return _act(request, pk, do, _("Budget line saved."))


@login_required
@require_POST
def renovation_spending(request, pk: int):
    def do(project):
        services.spending_record(
            actor=request.user,
            project=project,
            spent_on=request.POST.get("spent_on"),
            amount=request.POST.get("amount"),
            what=request.POST.get("what", ""),
            voucher=request.FILES.get("voucher"),
            over_budget_reason=request.POST.get("over_budget_reason", ""),
        )

    return _act(request, pk, do, _("Spending recorded."))


@login_required
@require_POST
def renovation_milestone(request, pk: int):
    def do(project):
        services.milestone_record(
            actor=request.user,
            project=project,
            title=request.POST.get("title", ""),
            reached_on=request.POST.get("reached_on"),
            note=request.POST.get("note", ""),
            before=request.FILES.getlist("before"),
            after=request.FILES.getlist("after"),
        )

    return _act(request, pk, do, _("Milestone recorded."))


@login_required
@require_POST
def renovation_survey(request, pk: int):
    def do(project):
        services.survey_answer_record(
            actor=request.user, project=project, satisfied=request.POST.get("satisfied") == "yes"
        )

    return _act(request, pk, do, _("Survey answer recorded."))


@login_required
def photo(request, pk: int):
    found = selectors.photo_get(user=request.user, pk=pk)
    return media.file_response(found.file, content_type=found.content_type)


@login_required
def voucher(request, pk: int):
    found = selectors.spending_get(user=request.user, pk=pk)
    return media.file_response(found.voucher, content_type=found.voucher_type)
