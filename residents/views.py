"""Pages for grid workers (phone-first) and for heads and officials. Thin: selectors and services."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.backends.utils import csrf_input
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from grids import versions
from grids.selectors import scope_roots
from hlgrid import lights, media, xlsx
from hlgrid.errors import DomainError
from hlgrid.forms import add_domain_error
from residents import importer, selectors, services
from residents.forms import (
    CoverageForm,
    ImportForm,
    MembershipForm,
    OccupancyForm,
    ResidentForm,
    SearchForm,
    VisitForm,
)
from residents.models import KeyGroup, VisitKind
from residents.roster import roster as roster_of
from residents.selectors import RESIDENT_POST_KINDS


@login_required
def my_day(request):
    """The worker's day. Its body shows only the worker's territory and own visits, so it is
    kept (grids.versions) until something there changes, a post of the worker changes or the
    day turns: a worker back from a visit sees it at once, and reloads cost almost nothing."""
    today = lights.today()

    def body() -> str:
        day = selectors.my_day(user=request.user, on=today)
        return render_to_string("residents/_my_day.html", {"day": day, "today": today}, request=request)

    body = mark_safe(versions.kept("my_day", request.user, [today], body))  # our own rendering
    return render(request, "residents/my_day.html", {"body": body})


def _occupancy_form(request, household, data=None):
    households = selectors.landlord_choices(user=request.user, household=household)
    initial = {"occupancy": household.occupancy, "landlord": household.landlord_id or ""}
    return OccupancyForm(data, households=households, initial=initial)


# Where the kept body of a household page takes the request's own CSRF field: a token is the
# browser's (rotated at each sign-in), never part of what is kept. User data in the body is
# escaped, so it cannot contain this comment.
CSRF_SLOT = mark_safe("<!--hl-csrf-->")


def _household_body(request, pk: int, form=None, on=None) -> tuple[str, str]:
    """The household's label and the page's body (the occupancy form unbound unless `form`)."""
    page = selectors.household_page(user=request.user, pk=pk, on=on)
    context = {
        "page": page,
        "household": page.household,
        "occupancy_form": form or _occupancy_form(request, page.household),
        "csrf_slot": CSRF_SLOT,
    }
    return page.household.label, render_to_string("residents/_household.html", context, request=request)


@login_required
def household(request, pk: int):
    """A household's page. Its body shows only the user's territory, so a GET serves it kept
    (grids.versions) until something there changes; an outsider gets 404 from the computation
    (nothing is kept for whom it refused)."""
    form = None
    if request.method == "POST":
        household = selectors.household_get(user=request.user, pk=pk)
        form = _occupancy_form(request, household, request.POST)
        if form.is_valid():
            try:
                services.household_set_occupancy(
                    actor=request.user,
                    household=household,
                    occupancy=form.cleaned_data["occupancy"],
                    landlord=form.landlord_household(),
                )
            except DomainError as error:
                add_domain_error(form, error)
            else:
                messages.success(request, _("The dwelling's use was saved."))
                return redirect("residents:household", pk=household.pk)
        label, body = _household_body(request, pk, form)  # the errors are this request's own
    else:
        today = lights.today()
        label, body = versions.kept(
            "household", request.user, [pk, today], lambda: _household_body(request, pk)
        )
    body = mark_safe(body.replace(CSRF_SLOT, csrf_input(request), 1))  # our own rendering
    return render(request, "residents/household.html", {"label": label, "body": body})


@require_safe
def visit_photo(request, pk: int):
    """A visit's photo, only for whoever may see the visit (anonymous and outsiders: 404)."""
    photo = selectors.visit_photo_get(user=request.user, pk=pk)
    return media.file_response(photo.image)


@login_required
def visit_pick(request):
    form = SearchForm(request.GET or None)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    households = list(selectors.household_pick(user=request.user, query=query)[:40]) if query else []
    return render(
        request, "residents/visit_pick.html", {"form": form, "households": households, "query": query}
    )


def _after_visit(request, visit):
    if visit.problem_found:
        try:
            return redirect(reverse("petitions:from_visit", args=[visit.pk]))
        except NoReverseMatch:
            messages.warning(
                request,
                _("The problem was recorded with the visit; start the petition from the petitions page."),
            )
    else:
        messages.success(request, _("Visit logged."))
    return redirect("residents:household", pk=visit.household_id)


@login_required
def visit_new(request, pk: int):
    page = selectors.household_page(user=request.user, pk=pk)
    household = page.household
    key_person_ids = {m.resident_id for m in page.memberships}
    if request.method == "POST":
        form = VisitForm(request.POST, residents=page.residents)
        if form.is_valid():
            data = form.cleaned_data
            try:
                visit = services.visit_log(
                    actor=request.user,
                    household=household,
                    kind=data["kind"],
                    people_seen=form.people(),
                    notes=data["notes"],
                    photos=request.FILES.getlist("photos"),
                    latitude=data["latitude"],
                    longitude=data["longitude"],
                    problem_found=data["problem_found"],
                    problem_description=data["problem_description"],
                )
            except DomainError as error:
                add_domain_error(form, error)
            else:
                return _after_visit(request, visit)
    else:
        initial = {"kind": VisitKind.KEY_PERSON if key_person_ids else VisitKind.ROUTINE}
        initial["people_seen"] = [str(pk) for pk in key_person_ids]
        form = VisitForm(initial=initial, residents=page.residents)
    return render(
        request,
        "residents/visit_form.html",
        {
            "form": form,
            "page": page,
            "household": household,
            "key_person_ids": key_person_ids,
            "tolerance_m": services.LOCATION_TOLERANCE_M,
            "draft_url": _draft_url_template(),
        },
    )


def _draft_url_template() -> str:
    """Where a visit that found a problem goes next, for the outbox ("{id}": the visit's);
    empty where the petitions app is not installed, as in `_after_visit`."""
    try:
        return reverse("petitions:from_visit", args=[0]).replace("/0/", "/{id}/")
    except NoReverseMatch:
        return ""


@login_required
def resident_search(request):
    form = SearchForm(request.GET or None)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    paginator = Paginator(selectors.resident_search(user=request.user, query=query), 30)
    page = paginator.get_page(request.GET.get("page"))
    return render(request, "residents/resident_list.html", {"form": form, "page": page, "query": query})


@login_required
@require_POST
def resident_reveal(request, pk: int):
    resident = selectors.resident_get(user=request.user, pk=pk)
    fields = request.POST.getlist("fields") or services.REVEALABLE
    try:
        values = services.resident_reveal(
            actor=request.user, resident=resident, fields=fields, request=request
        )
    except DomainError as error:
        return HttpResponse(error.detail, status=error.status_code)
    template = "residents/_revealed.html" if request.htmx else "residents/revealed.html"
    return render(request, template, {"resident": resident, "values": values})


def _current_quarter() -> tuple[datetime.date, datetime.date]:
    today = lights.today()
    return selectors.quarter_start(today), today


@login_required
def coverage(request):
    form = CoverageForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    start, end = _current_quarter()
    start, end = data.get("start") or start, data.get("end") or end
    nodes = list(selectors.coverage_nodes(user=request.user))
    by_pk = {node.pk: node for node in nodes}
    if data.get("node"):
        node = by_pk.get(data["node"])
        if node is None:
            raise Http404
    else:
        roots = scope_roots(user=request.user)
        node = next((by_pk[r.pk] for r in roots if r.pk in by_pk), None)
        if node is None:
            raise Http404
    report = selectors.coverage(user=request.user, node=node, start=start, end=end)
    return render(
        request,
        "residents/coverage.html",
        {"form": form, "report": report, "nodes": nodes, "start": start, "end": end},
    )


@login_required
def register_import(request):
    grids = list(selectors.grid_list(user=request.user))
    if not grids:
        raise Http404
    result = None
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES, grids=grids)
        if form.is_valid():
            result = importer.register_import(
                actor=request.user, grid=form.grids[form.cleaned_data["grid"]], file=form.cleaned_data["file"]
            )
            if result.ok:
                messages.success(
                    request,
                    _("Imported %(residents)d residents in %(households)d households.")
                    % {"residents": result.residents, "households": result.households},
                )
                return redirect("residents:import")
    else:
        form = ImportForm(grids=grids)
    return render(request, "residents/import.html", {"form": form, "result": result})


@login_required
def import_template(request):
    return xlsx.response(importer.template_bytes(), "household-register-template.xlsx")


@login_required
def resident_new(request, pk: int):
    household = selectors.household_get(user=request.user, pk=pk)
    form = ResidentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            resident = services.resident_create(actor=request.user, household=household, **form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("%(name)s was registered.") % {"name": resident.name})
            return redirect("residents:household", pk=household.pk)
    return render(
        request,
        "residents/simple_form.html",
        {"form": form, "household": household, "title": _("Register a resident"), "testid": "resident-form"},
    )


@login_required
def membership_new(request, pk: int):
    page = selectors.household_page(user=request.user, pk=pk)
    groups = KeyGroup.objects.filter(city__tree_id=page.household.grid.tree_id)
    form = MembershipForm(request.POST or None, residents=page.residents, groups=groups)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        resident, group = form.residents[data.pop("resident")], form.groups[data.pop("group")]
        try:
            services.key_membership_create(actor=request.user, resident=resident, group=group, **data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(
                request, _("%(name)s was added to %(group)s.") % {"name": resident.name, "group": group}
            )
            return redirect("residents:household", pk=page.household.pk)
    return render(
        request,
        "residents/simple_form.html",
        {
            "form": form,
            "household": page.household,
            "title": _("Add a key person"),
            "testid": "membership-form",
        },
    )


@login_required
def roster_home(request):
    """The menu's roster: that of the top-most node of the user's territory."""
    for root in scope_roots(user=request.user):
        mine = root.posts.filter(user=request.user, is_active=True, kind__in=RESIDENT_POST_KINDS)
        if request.user.is_superuser or mine.exists():
            return redirect("residents:roster", pk=root.pk)
    raise Http404


@login_required
def roster(request, pk: int):
    """The five heads of a node and its subtree, with the gaps (vacant heads, buildings without
    a 楼栋长, units without a 单元长)."""
    return render(request, "residents/roster.html", {"roster": roster_of(user=request.user, pk=pk)})
