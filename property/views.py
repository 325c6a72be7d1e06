"""Pages of compounds, firms, star boards and renovations: thin views over property.selectors
and property.services (Chinese by default, phone-first). Every object comes from a scoped
selector, so an outsider's page is a 404; every write is one service call whose errors come
back into the page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from grids import access
from grids.models import GridNode, NodeKind
from hlgrid import media
from hlgrid.errors import DomainError
from hlgrid.ids import parse_id
from property import policy, rating, selectors, services
from property.models import (
    CompoundKind,
    PartyForm,
    PropertyFirm,
    Service,
)
from residents.models import Building


def problems_of(error: DomainError) -> list[str]:
    return [m for ms in error.errors.values() for m in ms] or [str(error.detail)]


def show_problems(request, error: DomainError) -> None:
    for problem in problems_of(error):
        messages.error(request, problem)


def chosen_node(request) -> GridNode | None:
    pk = parse_id(request.GET.get("node"))
    if pk is None:
        return None
    return access.get_scoped_or_404(request.user, GridNode.objects.all(), node_path="", pk=pk)


def nodes_for_filter(user):
    return access.scope_queryset(
        user, GridNode.objects.exclude(kind=NodeKind.GRID), node_path="", post_kinds=policy.READ_KINDS
    ).order_by("tree_id", "lft")[:60]


# --- compounds --------------------------------------------------------------------------------


@login_required
def index(request):
    node = chosen_node(request)
    kind = request.GET.get("kind", "")
    service = request.GET.get("service", "")
    kind = kind if kind in CompoundKind.values else ""
    service = service if service in Service.values else ""
    compounds = selectors.compound_list_page(user=request.user, node=node, kind=kind, service=service)[:200]
    return render(
        request,
        "property/index.html",
        {
            "section": "compounds",
            "compounds": compounds,
            "node": node,
            "nodes": nodes_for_filter(request.user),
            "kind": kind,
            "service": service,
            "kinds": CompoundKind.choices,
            "services": Service.choices,
            "communities": _editable_communities(request.user),
        },
    )


def _editable_communities(user):
    return access.scope_queryset(
        user, GridNode.objects.filter(kind=NodeKind.COMMUNITY), node_path="", post_kinds=policy.EDIT_KINDS
    ).order_by("code")


def _compound_form_context(request, compound=None, values=None, problems=None) -> dict:
    return {
        "section": "compounds",
        "compound": compound,
        "values": values or {},
        "problems": problems or [],
        "communities": _editable_communities(request.user),
        "kinds": CompoundKind.choices,
        "services": Service.choices,
        "firms": selectors.firm_list(user=request.user).filter(is_active=True).order_by("name"),
    }


def _firm_choice(request):
    """The firm named in the form, unscoped: the service accepts only a firm the actor sees or
    one of the community's street."""
    pk = parse_id(request.POST.get("firm"))
    return PropertyFirm.objects.filter(pk=pk).first() if pk else None


@login_required
def compound_new(request):
    if request.method == "POST":
        community = (
            _editable_communities(request.user)
            .filter(pk=parse_id(request.POST.get("community")) or 0)
            .first()
        )
        try:
            if community is None:
                raise Http404
            compound = services.compound_create(
                actor=request.user,
                community=community,
                name=request.POST.get("name", ""),
                kind=request.POST.get("kind", ""),
                service=request.POST.get("service", ""),
                firm=_firm_choice(request),
                year_built=request.POST.get("year_built", ""),
                address=request.POST.get("address", ""),
            )
        except DomainError as exc:
            context = _compound_form_context(request, values=request.POST, problems=problems_of(exc))
            return render(request, "property/compound_form.html", context, status=400)
        messages.success(request, _("Compound registered."))
        return redirect("property:compound_edit", compound.pk)
    return render(request, "property/compound_form.html", _compound_form_context(request))


@login_required
def compound(request, pk: int):
    found = selectors.compound_get(user=request.user, pk=pk)
    return render(
        request,
        "property/compound.html",
        {
            "section": "compounds",
            "compound": found,
            "buildings": selectors.compound_buildings(compound=found),
            "grids": selectors.compound_grids(compound=found),
            "renovations": selectors.with_money(found.renovations.all()).order_by("-year", "id"),
            "inspections": found.inspections.order_by("-inspected_on", "-id")[:10],
            "may_edit": policy.may_edit(request.user, found.community),
            "today": timezone.localdate(),
        },
    )


@login_required
def compound_edit(request, pk: int):
    found = selectors.compound_get(user=request.user, pk=pk)
    if not policy.may_edit(request.user, found.community):
        raise Http404
    if request.method == "POST":
        wanted = [parse_id(v) for v in request.POST.getlist("building")]
        # The buildings first (a foreign one is a 404 before anything is saved), then the
        # compound and its buildings in one transaction: an error in either saves neither.
        buildings = access.get_all_scoped_or_404(
            request.user, Building.objects.all(), [w for w in wanted if w], node_path="grid"
        )
        try:
            with transaction.atomic():
                services.compound_update(
                    actor=request.user,
                    compound=found,
                    name=request.POST.get("name", ""),
                    kind=request.POST.get("kind", ""),
                    service=request.POST.get("service", ""),
                    firm=_firm_choice(request),
                    year_built=request.POST.get("year_built", ""),
                    address=request.POST.get("address", ""),
                )
                services.compound_buildings_set(actor=request.user, compound=found, buildings=buildings)
        except DomainError as exc:
            context = _compound_form_context(
                request, compound=found, values=request.POST, problems=problems_of(exc)
            )
            return render(request, "property/compound_form.html", context, status=400)
        messages.success(request, _("Compound saved."))
        return redirect("property:compound", found.pk)
    values = {
        "name": found.name,
        "kind": found.kind,
        "service": found.service,
        "firm": str(found.firm_id or ""),
        "year_built": found.year_built or "",
        "address": found.address,
    }
    context = _compound_form_context(request, compound=found, values=values)
    context["linked"] = selectors.compound_buildings(compound=found)
    context["free"] = selectors.buildings_to_link(user=request.user, compound=found)[:300]
    return render(request, "property/compound_form.html", context)


@login_required
@require_POST
def compound_sample(request, pk: int):
    found = selectors.compound_get(user=request.user, pk=pk)
    try:
        services.sample_record(
            actor=request.user,
            compound=found,
            score=request.POST.get("score"),
            sampled_on=request.POST.get("sampled_on") or None,
            note=request.POST.get("note", ""),
        )
        messages.success(request, _("Resident's score recorded."))
    except DomainError as exc:
        show_problems(request, exc)
    return redirect("property:compound", found.pk)


@login_required
@require_POST
def compound_inspect(request, pk: int):
    found = selectors.compound_get(user=request.user, pk=pk)
    try:
        services.inspection_record(
            actor=request.user,
            compound=found,
            score=request.POST.get("score"),
            inspected_on=request.POST.get("inspected_on") or None,
            findings=request.POST.get("findings", ""),
            photo=request.FILES.get("photo"),
        )
        messages.success(request, _("Inspection recorded."))
    except DomainError as exc:
        show_problems(request, exc)
    return redirect("property:compound", found.pk)


@login_required
def inspection_photo(request, pk: int):
    found = selectors.inspection_get(user=request.user, pk=pk)
    return media.file_response(found.photo, content_type=found.photo_type)


# --- firms ------------------------------------------------------------------------------------


def _firm_values(firm) -> dict:
    return {
        "name": firm.name,
        "credit_code": firm.credit_code,
        "contact_name": firm.contact_name,
        "contact_phone": firm.contact_phone,
        "party_joined_on": firm.party_joined_on.isoformat() if firm.party_joined_on else "",
        "party_form": firm.party_form,
        "party_instructor": firm.party_instructor,
        "in_joint_committee": firm.in_joint_committee,
        "is_active": firm.is_active,
        "street": str(firm.street_id),
    }


def _firm_form_context(request, firm=None, values=None, problems=None) -> dict:
    return {
        "section": "firms",
        "firm": firm,
        "values": values or {},
        "problems": problems or [],
        "streets": selectors.streets_for_boards(user=request.user),
        "party_forms": PartyForm.choices,
    }


def _firm_fields(request) -> dict:
    post = request.POST
    return {
        "name": post.get("name", ""),
        "credit_code": post.get("credit_code", ""),
        "contact_name": post.get("contact_name", ""),
        "contact_phone": post.get("contact_phone", ""),
        "party_joined_on": post.get("party_joined_on") or None,
        "party_form": post.get("party_form", ""),
        "party_instructor": post.get("party_instructor", ""),
        "in_joint_committee": post.get("in_joint_committee") == "on",
    }


@login_required
def firms(request):
    node = chosen_node(request)
    rows = selectors.firm_list_page(user=request.user, node=node)[:200]
    return render(
        request,
        "property/firms.html",
        {
            "section": "firms",
            "firms": rows,
            "node": node,
            "nodes": nodes_for_filter(request.user),
            "may_register": selectors.streets_for_boards(user=request.user).exists(),
        },
    )


@login_required
def firm_new(request):
    if request.method == "POST":
        street = (
            selectors.streets_for_boards(user=request.user)
            .filter(pk=parse_id(request.POST.get("street")) or 0)
            .first()
        )
        try:
            if street is None:
                raise Http404
            firm = services.firm_create(actor=request.user, street=street, **_firm_fields(request))
        except DomainError as exc:
            context = _firm_form_context(request, values=request.POST, problems=problems_of(exc))
            return render(request, "property/firm_form.html", context, status=400)
        messages.success(request, _("Firm registered."))
        return redirect("property:firm", firm.pk)
    return render(request, "property/firm_form.html", _firm_form_context(request))


@login_required
def firm(request, pk: int):
    found = selectors.firm_get(user=request.user, pk=pk)
    return render(
        request,
        "property/firm.html",
        {
            "section": "firms",
            "firm": found,
            "compounds": selectors.compound_list(user=request.user)
            .filter(firm=found)
            .select_related("community"),
            "ratings": selectors.firm_ratings(firm=found).filter(
                board__in=selectors.board_list(user=request.user)
            )[:8],
            "may_edit": policy.may_edit(request.user, found.street),
        },
    )


@login_required
def firm_edit(request, pk: int):
    found = selectors.firm_get(user=request.user, pk=pk)
    if not policy.may_edit(request.user, found.street):
        raise Http404
    if request.method == "POST":
        try:
            services.firm_update(
                actor=request.user,
                firm=found,
                is_active=request.POST.get("is_active") == "on",
                **_firm_fields(request),
            )
        except DomainError as exc:
            context = _firm_form_context(request, firm=found, values=request.POST, problems=problems_of(exc))
            return render(request, "property/firm_form.html", context, status=400)
        messages.success(request, _("Firm saved."))
        return redirect("property:firm", found.pk)
    return render(
        request,
        "property/firm_form.html",
        _firm_form_context(request, firm=found, values=_firm_values(found)),
    )


# --- star boards ------------------------------------------------------------------------------


def _last_quarter() -> tuple[int, int]:
    year, quarter = rating.quarter_of(timezone.localdate())
    return (year, quarter - 1) if quarter > 1 else (year - 1, 4)


@login_required
def stars(request):
    boards = selectors.board_list(user=request.user).order_by("-year", "-quarter", "street__code")[:40]
    year, quarter = _last_quarter()
    return render(
        request,
        "property/stars.html",
        {
            "section": "stars",
            "boards": boards,
            "streets": selectors.streets_for_boards(user=request.user),
            "year": year,
            "quarter": quarter,
            "quarters": [1, 2, 3, 4],
        },
    )


@login_required
@require_POST
def stars_compute(request):
    street = (
        selectors.streets_for_boards(user=request.user)
        .filter(pk=parse_id(request.POST.get("street")) or 0)
        .first()
    )
    if street is None:
        raise Http404
    try:
        board = services.board_compute(
            actor=request.user,
            street=street,
            year=request.POST.get("year"),
            quarter=request.POST.get("quarter"),
        )
    except DomainError as exc:
        show_problems(request, exc)
        return redirect("property:stars")
    messages.success(request, _("Star board computed."))
    return redirect("property:board", board.pk)


@login_required
def board(request, pk: int):
    found = selectors.board_get(user=request.user, pk=pk)
    return render(
        request,
        "property/board.html",
        {
            "section": "stars",
            "board": found,
            "rows": selectors.board_rows(board=found),
            "may_publish": not found.published and policy.may_publish(request.user, found.street),
            "may_compute": not found.published and policy.may_edit(request.user, found.street),
        },
    )


@login_required
@require_POST
def board_publish(request, pk: int):
    found = selectors.board_get(user=request.user, pk=pk)
    try:
        services.board_publish(actor=request.user, board=found)
        messages.success(request, _("Star board published."))
    except DomainError as exc:
        show_problems(request, exc)
    return redirect("property:board", found.pk)
