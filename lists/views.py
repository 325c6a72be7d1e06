"""Pages of the four lists (四项清单) and 四社联动: thin views over lists.selectors and
lists.services (Chinese by default, phone-first). Every object comes from a scoped selector, so
an outsider's page is a 404; every write is one service call whose errors come back into the
page. The in-service member's pages read its own board (lists.selectors.member_board); the
resident's confirmation page needs no account and is throttled per address."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from grids import access
from grids.models import GridNode, NodeKind
from hlgrid import media
from hlgrid.errors import DomainError
from hlgrid.ids import parse_id
from hlgrid.throttles import AddressThrottle
from lists import policy, selectors, services
from lists.models import (
    NeedOrigin,
    NeedStatus,
    OrgKind,
    ResourceKind,
    SocialOrganization,
    WishStatus,
)
from party.models import Alliance, InServiceMember, JointProject, MemberUnit, ProjectStatus

PAGE = 100


def show_problems(request, error: DomainError) -> None:
    for problem in [m for ms in error.errors.values() for m in ms] or [str(error.detail)]:
        messages.error(request, problem)


def chosen_node(request) -> GridNode | None:
    pk = parse_id(request.GET.get("node"))
    if pk is None:
        return None
    return access.get_scoped_or_404(request.user, GridNode.objects.all(), node_path="", pk=pk)


def nodes_for_filter(user):
    return access.scope_queryset(user, GridNode.objects.all(), node_path="").order_by("tree_id", "lft")[:100]


def _base(request, section: str, node) -> dict:
    return {"section": section, "node": node, "nodes": nodes_for_filter(request.user)}


def _pick(model, request, field: str, queryset=None):
    pk = parse_id(request.POST.get(field))
    if pk is None:
        return None
    return (queryset if queryset is not None else model.objects).filter(pk=pk).first()


def _date(value) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(value) if value else None
    except ValueError:
        return None


# --- the four lists of a node -------------------------------------------------------------


@login_required
def needs(request):
    node = chosen_node(request)
    status = request.GET.get("status", "")
    origin = request.GET.get("origin", "")
    claimed = request.GET.get("claimed", "")
    rows = selectors.need_list_page(
        user=request.user, node=node, status=status, origin=origin, claimed=claimed
    )
    context = _base(request, "needs", node) | {
        "needs": rows[:PAGE],
        "status": status,
        "origin": origin,
        "claimed": claimed,
        "statuses": NeedStatus.choices,
        "origins": NeedOrigin.choices,
        "grids": access.scope_queryset(
            request.user,
            GridNode.objects.filter(kind=NodeKind.GRID),
            node_path="",
            post_kinds=policy.STAFF_KINDS,
        ).order_by("code")[:100],
    }
    return render(request, "lists/needs.html", context)


def _staff_grids(user):
    grids = GridNode.objects.filter(kind=NodeKind.GRID)
    return access.scope_queryset(user, grids, node_path="", post_kinds=policy.STAFF_KINDS).order_by("code")


@login_required
@require_POST
def need_new(request):
    grid = access.get_scoped_or_404(
        request.user,
        GridNode.objects.all(),
        node_path="",
        pk=parse_id(request.POST.get("grid")) or 0,
    )
    try:
        if request.POST.get("wish"):
            wish = services.wish_create(
                actor=request.user,
                grid=grid,
                title=request.POST.get("title", ""),
                resident_name=request.POST.get("resident_name", ""),
                description=request.POST.get("description", ""),
            )
            messages.success(request, _("Small wish recorded; give the resident its code."))
            return redirect("lists:wish", wish.pk)
        need = services.need_create(
            actor=request.user,
            grid=grid,
            title=request.POST.get("title", ""),
            description=request.POST.get("description", ""),
            origin_kind=request.POST.get("origin_kind", NeedOrigin.OTHER),
            origin_id=request.POST.get("origin_id", ""),
        )
    except DomainError as exc:
        show_problems(request, exc)
        return redirect("lists:needs")
    messages.success(request, _("Need recorded."))
    return redirect("lists:need", need.pk)


@login_required
def need(request, pk: int):
    found = selectors.need_get(user=request.user, pk=pk)
    if hasattr(found, "wish"):
        return redirect("lists:wish", found.wish.pk)
    grid = found.grid
    may_staff = policy.may_staff(request.user, grid)
    context = {
        "section": "needs",
        "need": found,
        "matches": selectors.need_matches(need=found),
        "duties": selectors.need_responsibilities(need=found),
        "activities": found.activities.select_related("organization"),
        "may_staff": may_staff,
        "may_lead": policy.may_lead(request.user, grid),
    }
    if may_staff and found.status in (NeedStatus.OPEN, NeedStatus.MATCHED):
        context |= {
            "open_actions": True,
            "resources": selectors.resources_for_need(user=request.user, need=found)[:60],
            "units": selectors.units_for_grid(grid=grid),
            "organizations": selectors.organizations_for_grid(grid=grid),
            "members": selectors.members_for_grid(grid=grid)[:100],
            "alliances": Alliance.objects.filter(
                node__tree_id=grid.tree_id, node__lft__lte=grid.lft, node__rght__gte=grid.rght
            ).order_by("name"),
            "projects": selectors.project_list_page(user=request.user)
            .filter(grids=grid)
            .exclude(status=ProjectStatus.COMPLETED)[:30],
        }
    if context["may_lead"]:
        context["staff"] = _staff_for(grid)
    return render(request, "lists/need.html", context)


def _staff_for(node: GridNode):
    from django.contrib.auth import get_user_model

    posts = access.posts_above(node, kinds=policy.STAFF_KINDS).values("user_id")
    return get_user_model().objects.filter(pk__in=posts, is_active=True).order_by("username")[:50]


@login_required
@require_POST
def need_action(request, pk: int, action: str):
    found = selectors.need_get(user=request.user, pk=pk)
    grid = found.grid
    try:
        if action == "claim":
            services.need_claim(
                actor=request.user,
                need=found,
                unit=_pick(MemberUnit, request, "unit", selectors.units_for_grid(grid=grid)),
                member=_pick(InServiceMember, request, "member", selectors.members_for_grid(grid=grid)),
                organization=_pick(
                    SocialOrganization, request, "organization", selectors.organizations_for_grid(grid=grid)
                ),
            )
            messages.success(request, _("Need claimed."))
        elif action == "match":
            resource = _pick(
                None, request, "resource", selectors.resources_for_need(user=request.user, need=found)
            )
            if resource is None:
                raise Http404
            services.need_match(
                actor=request.user,
                need=found,
                resource=resource,
                amount=request.POST.get("amount") or None,
                hours=request.POST.get("hours") or None,
                note=request.POST.get("note", ""),
            )
            messages.success(request, _("Resource matched."))
        elif action == "project":
            alliance = _pick(Alliance, request, "alliance")
            if alliance is None:
                raise Http404
            project = services.need_to_project(
                actor=request.user,
                need=found,
                alliance=alliance,
                name=request.POST.get("name", ""),
                budget=request.POST.get("budget") or None,
                starts_on=_date(request.POST.get("starts_on")),
                ends_on=_date(request.POST.get("ends_on")),
            )
            messages.success(request, _("Joint project %(name)s created.") % {"name": project.name})
        elif action == "link":
            project = _pick(JointProject, request, "project", selectors.project_list(user=request.user))
            if project is None:
                raise Http404
            services.need_link_project(actor=request.user, need=found, project=project)
            messages.success(request, _("Need linked to the project."))
        elif action == "close":
            services.need_close(actor=request.user, need=found)
            messages.success(request, _("Need closed."))
        elif action == "duty":
            from django.contrib.auth import get_user_model

            services.responsibility_assign(
                actor=request.user,
                need=found,
                duty=request.POST.get("duty", ""),
                due_on=_date(request.POST.get("due_on")),
                holder_user=_pick(get_user_model(), request, "holder_user", _staff_for(grid)),
                holder_unit=_pick(MemberUnit, request, "holder_unit", selectors.units_for_grid(grid=grid)),
                holder_org=_pick(
                    SocialOrganization, request, "holder_org", selectors.organizations_for_grid(grid=grid)
                ),
            )
            messages.success(request, _("Duty assigned."))
        else:
            raise Http404
    except DomainError as exc:
        show_problems(request, exc)
    return redirect("lists:need", found.pk)


@login_required
def resources(request):
    node = chosen_node(request)
    kind = request.GET.get("kind", "")
    rows = selectors.resource_list_page(user=request.user, node=node, kind=kind)
    context = _base(request, "resources", node) | {
        "resources": rows[:PAGE],
        "kind": kind,
        "kinds": ResourceKind.choices,
        "editable_alliances": _editable_alliances(request.user),
    }
    return render(request, "lists/resources.html", context)


def _editable_alliances(user):
    nodes = access.scope_queryset(user, GridNode.objects.all(), node_path="", post_kinds=policy.SETUP_KINDS)
    return Alliance.objects.filter(node__in=nodes).prefetch_related("units").order_by("name")


def _resource_fields(request) -> dict:
    post = request.POST
    return {
        "kind": post.get("kind", ""),
        "title": post.get("title", ""),
        "description": post.get("description", ""),
        "amount": post.get("amount") or None,
        "hours": post.get("hours") or None,
        "capacity": post.get("capacity") or None,
    }


@login_required
def resource_new(request):
    alliances = _editable_alliances(request.user)
    if not alliances:
        raise Http404
    values, problems = {}, []
    if request.method == "POST":
        values = request.POST
        provider = request.POST.get("provider", "")
        unit = alliance = None
        if provider.startswith("u"):
            unit = MemberUnit.objects.filter(pk=parse_id(provider[1:]) or 0, alliance__in=alliances).first()
        elif provider.startswith("a"):
            alliance = alliances.filter(pk=parse_id(provider[1:]) or 0).first()
        try:
            if unit is None and alliance is None:
                raise Http404
            resource = services.resource_create(
                actor=request.user, unit=unit, alliance=alliance, **_resource_fields(request)
            )
        except DomainError as exc:
            problems = [m for ms in exc.errors.values() for m in ms] or [str(exc.detail)]
        else:
            messages.success(request, _("Resource added."))
            return redirect("lists:resource", resource.pk)
    context = {
        "section": "resources",
        "alliances": alliances,
        "kinds": ResourceKind.choices,
        "values": values,
        "problems": problems,
    }
    return render(request, "lists/resource_form.html", context, status=400 if problems else 200)


@login_required
def resource(request, pk: int):
    found = selectors.resource_get(user=request.user, pk=pk)
    may_edit = policy.may_setup(request.user, found.node)
    problems, values = [], None
    if request.method == "POST":
        if not may_edit:
            raise Http404
        values = request.POST
        try:
            services.resource_update(
                actor=request.user,
                resource=found,
                is_active=request.POST.get("is_active") == "on",
                **_resource_fields(request),
            )
        except DomainError as exc:
            problems = [m for ms in exc.errors.values() for m in ms] or [str(exc.detail)]
        else:
            messages.success(request, _("Resource saved."))
            return redirect("lists:resource", found.pk)
    context = {
        "section": "resources",
        "resource": found,
        "matches": found.matches.select_related("need__grid").order_by("-id")[:100],
        "duties": found.responsibilities.select_related("holder_user", "holder_unit", "holder_org"),
        "may_edit": may_edit,
        "kinds": ResourceKind.choices,
        "values": values
        or {
            "kind": found.kind,
            "title": found.title,
            "description": found.description,
            "amount": found.amount if found.amount is not None else "",
            "hours": found.hours if found.hours is not None else "",
            "capacity": found.capacity or "",
            "is_active": found.is_active,
        },
        "problems": problems,
    }
    return render(request, "lists/resource.html", context, status=400 if problems else 200)


@login_required
def projects(request):
    node = chosen_node(request)
    status = request.GET.get("status", "")
    matched = request.GET.get("matched", "")
    rows = selectors.project_list_page(user=request.user, node=node, status=status, matched=matched)
    context = _base(request, "projects", node) | {
        "projects": rows[:PAGE],
        "status": status,
        "matched": matched,
        "statuses": ProjectStatus.choices,
    }
    return render(request, "lists/projects.html", context)


@login_required
def responsibilities(request):
    node = chosen_node(request)
    item = request.GET.get("item", "")
    rows = selectors.responsibility_list_page(user=request.user, node=node, item=item)
    context = _base(request, "duties", node) | {"duties": rows[:PAGE], "item": item}
    return render(request, "lists/responsibilities.html", context)


@login_required
@require_POST
def responsibility_remove(request, pk: int):
    found = access.get_scoped_or_404(
        request.user, selectors.responsibility_list(user=request.user), node_path="node", pk=pk
    )
    try:
        services.responsibility_remove(actor=request.user, responsibility=found)
        messages.success(request, _("Duty removed."))
    except DomainError as exc:
        show_problems(request, exc)
    return redirect("lists:responsibilities")


# --- wishes -------------------------------------------------------------------------------


@login_required
def wishes(request):
    node = chosen_node(request)
    status = request.GET.get("status", "")
    rows = selectors.wish_list_page(user=request.user, node=node, status=status)
    context = _base(request, "wishes", node) | {
        "wishes": rows[:PAGE],
        "status": status,
        "statuses": WishStatus.choices,
        "counts": selectors.wish_counts(user=request.user, node=node),
    }
    return render(request, "lists/wishes.html", context)


@login_required
def wish(request, pk: int):
    found = selectors.wish_get(user=request.user, pk=pk)
    grid = found.need.grid
    may_staff = policy.may_staff(request.user, grid)
    context = {
        "section": "wishes",
        "wish": found,
        "may_staff": may_staff,
        "units": selectors.units_for_grid(grid=grid) if may_staff else [],
        "members": selectors.members_for_grid(grid=grid)[:100] if may_staff else [],
    }
    return render(request, "lists/wish.html", context)


@login_required
@require_POST
def wish_action(request, pk: int, action: str):
    found = selectors.wish_get(user=request.user, pk=pk)
    grid = found.need.grid
    try:
        if action == "claim":
            services.wish_claim(
                actor=request.user,
                wish=found,
                unit=_pick(MemberUnit, request, "unit", selectors.units_for_grid(grid=grid)),
                member=_pick(InServiceMember, request, "member", selectors.members_for_grid(grid=grid)),
            )
            messages.success(request, _("Wish claimed."))
        elif action == "fulfil":
            services.wish_fulfil(actor=request.user, wish=found, photo=request.FILES.get("photo"))
            messages.success(request, _("Wish marked fulfilled; the resident confirms with the code."))
        elif action == "confirm":
            services.wish_confirm_on_behalf(actor=request.user, wish=found)
            messages.success(request, _("Confirmed on the resident's behalf."))
        elif action == "cancel":
            services.wish_cancel(actor=request.user, wish=found)
            messages.success(request, _("Wish cancelled."))
        else:
            raise Http404
    except DomainError as exc:
        show_problems(request, exc)
    return redirect("lists:wish", found.pk)


@login_required
@require_safe
def wish_photo(request, pk: int):
    member = selectors.member_of(request.user)
    if member is not None and not access.holds(request.user, policy.STAFF_KINDS):
        found = selectors.member_wish(member=member, pk=pk)
    else:
        found = selectors.wish_get(user=request.user, pk=pk)
    if not found.photo:
        raise Http404
    return media.file_response(found.photo, content_type=found.photo_type or None)


# --- an in-service member's claims ------------------------------------------------------------


def _member_or_404(request) -> InServiceMember:
    member = selectors.member_of(request.user)
    if member is None:
        raise Http404
    return member


@login_required
def member_board(request):
    member = _member_or_404(request)
    return render(
        request, "lists/member_board.html", {"member": member, **selectors.member_board(member=member)}
    )


@login_required
@require_POST
def member_claim_wish(request, pk: int):
    member = _member_or_404(request)
    found = selectors.member_wish(member=member, pk=pk)
    try:
        services.wish_claim(actor=request.user, wish=found, member=member)
        messages.success(request, _("You claimed this wish. Thank you!"))
    except DomainError as exc:
        show_problems(request, exc)
    return redirect("lists:member_wish", found.pk)


@login_required
def member_wish(request, pk: int):
    member = _member_or_404(request)
    found = selectors.member_wish(member=member, pk=pk)
    return render(request, "lists/member_wish.html", {"member": member, "wish": found})


@login_required
@require_POST
def member_fulfil_wish(request, pk: int):
    member = _member_or_404(request)
    found = selectors.member_wish(member=member, pk=pk)
    try:
        services.wish_fulfil(actor=request.user, wish=found, photo=request.FILES.get("photo"))
        messages.success(request, _("Marked fulfilled; the resident confirms with their code."))
    except DomainError as exc:
        show_problems(request, exc)
    return redirect("lists:member_wish", found.pk)


@login_required
@require_POST
def member_claim_need(request, pk: int):
    member = _member_or_404(request)
    found = selectors.member_need(member=member, pk=pk)
    try:
        services.need_claim(actor=request.user, need=found, member=member)
        messages.success(request, _("You claimed this need. Thank you!"))
    except DomainError as exc:
        show_problems(request, exc)
    return redirect("lists:member_board")


# --- a unit's claims --------------------------------------------------------------------------


@login_required
def unit(request, pk: int):
    found = selectors.unit_get(user=request.user, pk=pk)
    return render(
        request,
        "lists/unit.html",
        {"section": "resources", "unit": found, **selectors.unit_claims(user=request.user, unit=found)},
    )


# --- social organisations (四社联动) ---------------------------------------------------------


def _org_nodes(user):
    return access.scope_queryset(
        user, GridNode.objects.exclude(kind=NodeKind.GRID), node_path="", post_kinds=policy.SETUP_KINDS
    ).order_by("tree_id", "lft")[:60]


@login_required
def organizations(request):
    node = chosen_node(request)
    kind = request.GET.get("kind", "")
    context = _base(request, "organizations", node) | {
        "organizations": selectors.organization_list_page(user=request.user, node=node, kind=kind)[:PAGE],
        "kind": kind,
        "kinds": OrgKind.choices,
        "org_nodes": _org_nodes(request.user),
    }
    return render(request, "lists/organizations.html", context)


def _org_fields(request) -> dict:
    post = request.POST
    return {
        "name": post.get("name", ""),
        "kind": post.get("kind", ""),
        "services": post.get("services", ""),
        "contact_name": post.get("contact_name", ""),
        "contact_phone": post.get("contact_phone", ""),
        "members": post.get("members") or 0,
    }


@login_required
@require_POST
def organization_new(request):
    node = _org_nodes(request.user).filter(pk=parse_id(request.POST.get("node")) or 0).first()
    if node is None:
        raise Http404
    try:
        found = services.organization_create(actor=request.user, node=node, **_org_fields(request))
    except DomainError as exc:
        show_problems(request, exc)
        return redirect("lists:organizations")
    messages.success(request, _("Organisation registered."))
    return redirect("lists:organization", found.pk)


@login_required
def organization(request, pk: int):
    found = selectors.organization_get(user=request.user, pk=pk)
    grids = access.scope_queryset(
        request.user,
        GridNode.objects.filter(
            kind=NodeKind.GRID, tree_id=found.node.tree_id, lft__gte=found.node.lft, rght__lte=found.node.rght
        ),
        node_path="",
        post_kinds=policy.STAFF_KINDS,
    ).order_by("code")[:100]
    if request.method == "POST":
        try:
            if request.POST.get("action") == "activity":
                grid = grids.filter(pk=parse_id(request.POST.get("grid")) or 0).first()
                if grid is None:
                    raise Http404
                held_on = _date(request.POST.get("held_on"))
                services.activity_record(
                    actor=request.user,
                    organization=found,
                    grid=grid,
                    title=request.POST.get("title", ""),
                    held_on=held_on,
                    participants=request.POST.get("participants") or 0,
                    hours=request.POST.get("hours") or "0",
                    description=request.POST.get("description", ""),
                )
                messages.success(request, _("Activity recorded."))
            else:
                services.organization_update(
                    actor=request.user,
                    organization=found,
                    is_active=request.POST.get("is_active") == "on",
                    **_org_fields(request),
                )
                messages.success(request, _("Organisation saved."))
        except DomainError as exc:
            show_problems(request, exc)
        return redirect("lists:organization", found.pk)
    context = {
        "section": "organizations",
        "org": found,
        "activities": selectors.activity_list(user=request.user).filter(organization=found)[:50],
        "claims": selectors.need_list(user=request.user).filter(claimed_by_org=found).order_by("-id")[:50],
        "grids": grids,
        "may_edit": policy.may_setup(request.user, found.node),
        "kinds": OrgKind.choices,
    }
    return render(request, "lists/organization.html", context)


# --- the resident's confirmation (no account) ---------------------------------------------------


class _ConfirmThrottle(AddressThrottle):
    scope = "public"


def confirm(request):
    code = (request.GET.get("code") or request.POST.get("code") or "").strip().upper()
    if code and not _ConfirmThrottle().allow_request(request, None):
        messages.error(request, _("Too many requests from this device; try again in a minute."))
        return render(request, "lists/confirm.html", {"code": code}, status=429)
    found = selectors.public_wish(code=code) if code else None
    if request.method == "POST" and found is not None:
        try:
            services.wish_confirm_by_code(code=code)
        except DomainError as exc:
            show_problems(request, exc)
        else:
            messages.success(request, _("Thank you! Your wish is confirmed as fulfilled."))
        return redirect(f"{request.path}?code={code}")
    status = 404 if code and found is None else 200
    return render(
        request, "lists/confirm.html", {"code": code, "wish": found, "missing": status == 404}, status=status
    )


@require_safe
def confirm_photo(request, code: str):
    found = selectors.public_wish(code=code)
    if found is None or not found.photo:
        raise Http404
    return media.file_response(found.photo, content_type=found.photo_type or None)
