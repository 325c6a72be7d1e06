"""Petition pages: thin views over services and selectors (Chinese by default, phone-first)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from grids import access, cities
from grids.access import scope_queryset
from grids.models import Department, GridNode, NodeKind
from grids.selectors import scope_roots
from hlgrid import media
from hlgrid.errors import DomainError, InvalidInput
from hlgrid.forms import add_domain_error
from hlgrid.models import User
from hlgrid.panels import panels_for
from petitions import forms, selectors, services
from petitions.models import Category, Level, Light, Petition, Risk, Source, Status, Urgency


def _back_to(request, url: str):
    if request.htmx:
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return redirect(url)


@require_safe
def attachment(request, pk: int):
    """A petition's photo for the staff who may see the petition (anonymous and outsiders: 404)."""
    found = selectors.attachment_get(user=request.user, pk=pk)
    return media.file_response(found.file, content_type=found.content_type)


@login_required
def inbox(request):
    """The worker's inbox (a head's or department's queue): open petitions, red first. With a
    search (`q`: tracking code, phone or words) or a source, every petition of the scope that
    matches, open or finished, a page at a time."""
    light = request.GET.get("light") if request.GET.get("light") in Light.values else None
    mine = request.GET.get("mine") == "1"
    query = (request.GET.get("q") or "").strip()[: selectors.SEARCH_MAX_LENGTH]
    source = request.GET.get("source") if request.GET.get("source") in Source.values else None
    urgency = request.GET.get("urgency") if request.GET.get("urgency") in Urgency.values else None
    risk = request.GET.get("risk") if request.GET.get("risk") in Risk.values else None
    context = {
        "urgency": urgency,
        "risk": risk,
        # The judgement filters kept by the light and page links (values are choices only).
        "judge_qs": (f"&urgency={urgency}" if urgency else "") + (f"&risk={risk}" if risk else ""),
        "urgencies": Urgency.choices,
        "risk_choices": Risk.choices,
        "light": light,
        "mine": mine,
        "query": query,
        "source": source,
        "sources": Source.choices,
        "can_take_in": access.holds(request.user, access.FIELD_KINDS),
    }
    if query or source:
        found = selectors.petition_list(
            user=request.user,
            mine=mine,
            light=light,
            query=query,
            source=source,
            urgency=urgency,
            risk=risk,
        )
        page = Paginator(found, 50).get_page(request.GET.get("page"))
        context.update(petitions=list(page.object_list), page=page, searching=True)
        return render(request, "petitions/inbox.html", context)
    base = selectors.petition_list(user=request.user, active=True, mine=mine, urgency=urgency, risk=risk)
    rows = list(base.filter(current_light=light)[:200] if light else base[:200])
    totals = {row["current_light"]: row["n"] for row in _light_counts(base)}
    context.update(petitions=rows, totals=totals, now=timezone.now())
    return render(request, "petitions/inbox.html", context)


def _light_counts(queryset):
    from django.db.models import Count

    return queryset.order_by().values("current_light").annotate(n=Count("id"))


@login_required
def board(request):
    """The lights board of the caller's subtree: each child node's open petitions by light."""
    roots = scope_roots(user=request.user)
    node_id = request.GET.get("node")
    if node_id and node_id.isdigit():
        node = scope_queryset(request.user, GridNode.objects.filter(pk=int(node_id)), node_path="").first()
        if node is None:
            raise Http404
    elif roots:
        node = roots[0]
    else:
        node = None
    rows = selectors.lights_board(user=request.user, root=node) if node else []
    context = {"node": node, "rows": rows, "totals": selectors.light_totals(rows), "roots": roots}
    return render(request, "petitions/board.html", context)


@login_required
def detail(request, pk: int):
    petition = selectors.petition_get(user=request.user, pk=pk)
    return render(request, "petitions/detail.html", _detail_context(request, petition))


def _classify_context(request, petition) -> dict:
    """The classify form's defaults and what submitting them does (its help text), and the
    sentences the page's script shows when the choice changes."""
    defaults = services.classify_defaults(actor=request.user, petition=petition)
    workers = selectors.grid_workers(grid=petition.grid)
    departments = list(selectors.departments_of(petition.grid))
    who = {
        Level.GRID: next((w.display_name for w in workers if w.pk == defaults.assignee_id), ""),
        Level.DEPARTMENT: next((d.name for d in departments if d.pk == defaults.department_id), ""),
    }.get(defaults.level, "")
    limit = services.limit_text(petition.category)
    placeholder = {"who": "{who}", "limit": "{limit}"}
    return {
        "workers": workers,
        "departments": departments,
        "classify": defaults,
        "classify_help": services.classify_outcome(level=defaults.level, limit=limit, who=who),
        "classify_outcomes": {
            level: {
                "chosen": services.classify_outcome(level=level, **placeholder),
                "unchosen": services.classify_outcome(level=level, limit="{limit}"),
            }
            for level in Level.values
        },
        "classify_categories": [
            {"category": c, "limit": services.limit_text(c)}
            for c in selectors.category_leaves(tree_id=petition.grid.tree_id).select_related("parent")
        ],
    }


def _detail_context(request, petition, **extra) -> dict:
    verbs = selectors.allowed_actions(user=request.user, petition=petition)
    context = {
        "petition": petition,
        "verbs": verbs,
        "events": selectors.petition_events(petition=petition),
        "requests": selectors.pending_requests(petition=petition),
        "duplicates": selectors.possible_duplicates(user=request.user, petition=petition)
        if "merge" in verbs
        else [],
        "categories": selectors.category_leaves(tree_id=petition.grid.tree_id) if "classify" in verbs else [],
        "can_whistle": services.whistle_allowed(actor=request.user, petition=petition),
        "levels": Level.choices,
        "level_up": forms.LEVEL_UP_CHOICES,
        "satisfactions": forms.RatingForm.base_fields["satisfaction"].choices,
        "has_contact": bool(petition.reporter_phone_hint or petition.reporter_name),
        "panels": panels_for("petition", petition, request.user),  # the apps above (hlgrid.panels)
        "joins": selectors.join_summary(petition=petition),
    }
    if "classify" in verbs:
        context.update(_classify_context(request, petition))
    if "verify" in verbs or "rejudge" in verbs:
        context.update(_judgement_context(request, petition, verifying="verify" in verbs))
    if "take_over" in verbs:
        context.update(
            take_over_people=services.take_over_candidates(petition=petition),
            departments=list(selectors.departments_of(petition.grid)),
        )
    context["key_person"] = selectors.key_person_summary(user=request.user, petition=petition)
    context.update(extra)
    return context


def _judgement_context(request, petition: Petition, *, verifying: bool) -> dict:
    """The 研判 fields of the verify form (the suggested key person preselected) or of the
    revision form (the judgement as it stands)."""
    suggestions = selectors.key_person_suggestions(user=request.user, petition=petition)
    if verifying:
        first = suggestions[0] if suggestions and suggestions[0]["preselected"] else None
        judgement = {
            "urgency": Urgency.NORMAL,
            "risks": [Risk.VULNERABLE] if first else [],
            "key_person": first["id"] if first else None,
        }
    else:
        judgement = {
            "urgency": petition.urgency,
            "risks": sorted(petition.risks),
            "key_person": petition.key_person_id,
            "text": services.judgement_text(petition),
        }
    return {
        "urgencies": Urgency.choices,
        "risk_choices": Risk.choices,
        "key_suggestions": suggestions,
        "judgement": judgement,
    }


def _judgement_posted(post) -> dict:
    """The 研判 fields of the verify and revision forms (petitions/_judgement_fields.html)."""
    return {
        "urgency": post.get("urgency") or Urgency.NORMAL,
        "risks": post.getlist("risks"),
        "key_person": _int(post.get("key_person")),
    }


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@login_required
@require_POST
def act(request, pk: int, verb: str):
    """One form per allowed action; the service decides, errors come back into the page."""
    petition = selectors.petition_get(user=request.user, pk=pk)
    post, user = request.POST, request.user
    photos = request.FILES.getlist("photos")
    try:
        if verb == "submit":
            category = Category.objects.filter(pk=_int(post.get("category"))).first()
            services.petition_submit(
                actor=user,
                petition=petition,
                category=category,
                description=post.get("description", ""),
                photos=photos,
            )
        elif verb == "verify":
            services.petition_verify(
                actor=user, petition=petition, note=post.get("note", ""), **_judgement_posted(post)
            )
        elif verb == "rejudge":
            services.petition_rejudge(
                actor=user, petition=petition, reason=post.get("reason", ""), **_judgement_posted(post)
            )
        elif verb == "take_over":
            assignee = User.objects.filter(pk=_int(post.get("assignee"))).first()
            department = Department.objects.filter(pk=_int(post.get("department"))).first()
            services.petition_take_over(
                actor=user,
                petition=petition,
                assignee=assignee,
                department=department,
                note=post.get("note", ""),
            )
        elif verb == "reject":
            services.petition_reject(actor=user, petition=petition, reason=post.get("reason", ""))
        elif verb == "merge":
            into = _int(post.get("into"))
            if into is None:
                raise InvalidInput.field("into", _("Choose the petition to merge into."))
            services.petition_merge(actor=user, petition=petition, into=into, note=post.get("note", ""))
        elif verb == "classify":
            category = Category.objects.filter(pk=_int(post.get("category"))).first()
            assignee = User.objects.filter(pk=_int(post.get("assignee"))).first()
            department = Department.objects.filter(pk=_int(post.get("department"))).first()
            services.petition_classify(
                actor=user,
                petition=petition,
                category=category,
                level=post.get("level") or None,
                assignee=assignee,
                department=department,
                note=post.get("note", ""),
            )
        elif verb == "escalate":
            services.petition_escalate(
                actor=user, petition=petition, level=post.get("level", ""), reason=post.get("reason", "")
            )
        elif verb == "note":
            services.petition_note(actor=user, petition=petition, note=post.get("note", ""))
        elif verb == "resolve":
            services.petition_resolve(actor=user, petition=petition, note=post.get("note", ""), photos=photos)
        elif verb == "pause":
            _p, pending = services.petition_pause(
                actor=user, petition=petition, reason=post.get("reason", "")
            )
            if pending:
                messages.info(request, _("Your request was sent to the head above."))
        elif verb == "resume":
            services.petition_resume(actor=user, petition=petition, note=post.get("note", ""))
        elif verb == "extend":
            hours = _int(post.get("hours"))
            if hours is None:
                raise InvalidInput.field("hours", _("How many more hours?"))
            _p, pending = services.petition_extend(
                actor=user, petition=petition, hours=hours, reason=post.get("reason", "")
            )
            if pending:
                messages.info(request, _("Your request was sent to the head above."))
        elif verb == "deny":
            services.handling_request_deny(
                actor=user, request=_int(post.get("request")) or 0, note=post.get("note", "")
            )
        elif verb == "return":
            services.petition_return(actor=user, petition=petition, reason=post.get("reason", ""))
        elif verb == "callback":
            services.petition_callback(
                actor=user,
                petition=petition,
                satisfaction=post.get("satisfaction", ""),
                solved=post.get("solved") == "1",
                note=post.get("note", ""),
            )
        else:
            raise Http404
    except DomainError as error:
        problems = [m for ms in error.errors.values() for m in ms] or [error.detail]
        if request.htmx:
            return render(request, "petitions/_errors.html", {"problems": problems}, status=200)
        for problem in problems:
            messages.error(request, problem)
        return redirect("petitions:detail", pk=pk)
    messages.success(request, _("Done."))
    return _back_to(request, reverse("petitions:detail", args=[pk]))


@login_required
@require_POST
def contact(request, pk: int):
    petition = selectors.petition_get(user=request.user, pk=pk)
    try:
        revealed = services.petition_reveal_contact(actor=request.user, petition=petition, request=request)
    except DomainError as error:
        return render(request, "petitions/_errors.html", {"problems": [error.detail]})
    return render(request, "petitions/_contact.html", {"contact": revealed})


@login_required
def from_visit(request, visit_id: int):
    """A worker's visit found a problem: open its draft petition, pick the category, submit."""
    try:
        petition = services.petition_from_visit(actor=request.user, visit_id=visit_id)
    except (ImportError, LookupError):
        raise Http404 from None
    except DomainError as error:
        messages.error(request, error.detail)
        return redirect("petitions:inbox")
    if petition.status != Status.DRAFT:
        return redirect("petitions:detail", pk=petition.pk)
    form = forms.DraftForm(initial={"description": petition.description, "category": petition.category_id})
    visit = selectors.visit_of(user=request.user, petition=petition)
    if request.method == "POST":
        form = forms.DraftForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                services.petition_submit(
                    actor=request.user,
                    petition=petition,
                    category=form.cleaned_data["category"],
                    description=form.cleaned_data["description"],
                    photos=form.cleaned_data["photos"],
                )
            except DomainError as error:
                add_domain_error(form, error)
            else:
                messages.success(request, _("The petition was taken in."))
                return redirect("petitions:detail", pk=petition.pk)
    context = {
        "petition": petition,
        "form": form,
        "visit": visit,
        "attachments": list(petition.attachments.order_by("id")),
    }
    return render(request, "petitions/from_visit.html", context)


@login_required
def notifications(request):
    if request.method == "POST":
        services.notification_mark_read(actor=request.user)
        return redirect("petitions:notifications")
    items = list(selectors.notification_list(user=request.user)[:100])
    return render(request, "petitions/notifications.html", {"items": items})


# --- whistles ------------------------------------------------------------------------------
@login_required
def whistle_board(request):
    whistles = list(selectors.whistle_list(user=request.user)[:100])
    context = {
        "whistles": whistles,
        "can_blow": _blowable_streets(request.user).exists(),
        "my_departments": set(selectors.user_departments(user=request.user)),
    }
    return render(request, "petitions/whistles.html", context)


def _blowable_streets(user):
    """The streets in which the whistle rule (services.may_blow) lets `user` blow a whistle."""
    streets = scope_queryset(user, GridNode.objects.filter(kind=NodeKind.STREET), node_path="")
    return streets.filter(pk__in=[s.pk for s in streets if services.may_blow(user, s)])


@login_required
def whistle_new(request):
    """The whistle form, only for whoever the whistle rule lets blow it (services.may_blow):
    anyone else who can see the petition gets a clear 403, not a form the service refuses."""
    streets = _blowable_streets(request.user)
    petition = None
    petition_id = _int(request.GET.get("petition") or request.POST.get("petition"))
    if petition_id:
        petition = selectors.petition_get(user=request.user, pk=petition_id)
        if not services.whistle_allowed(actor=request.user, petition=petition):
            raise PermissionDenied(_("Only a street official may blow the whistle."))
    elif not streets.exists():
        raise PermissionDenied(_("Only a street official may blow the whistle."))
    department = petition.category.department_id if petition and petition.category_id else None
    form = forms.WhistleForm(
        request.POST or None,
        streets=streets,
        initial={
            "title": petition.description[:60] if petition else "",
            "departments": [department] if department else [],
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            whistle = services.whistle_blow(
                actor=request.user,
                title=data["title"],
                description=data["description"],
                departments=list(data["departments"]),
                checkin_hours=data["checkin_hours"],
                petition=petition,
                street=data["street"],
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("The whistle was blown: the departments are summoned."))
            return redirect("petitions:whistle", pk=whistle.pk)
    return render(request, "petitions/whistle_new.html", {"form": form, "petition": petition})


@login_required
def whistle_detail(request, pk: int):
    whistle = selectors.whistle_get(user=request.user, pk=pk)
    if request.method == "POST":
        try:
            services.whistle_close(actor=request.user, whistle=whistle)
        except DomainError as error:
            messages.error(request, error.detail)
        return redirect("petitions:whistle", pk=pk)
    context = {
        "whistle": whistle,
        "my_departments": set(selectors.user_departments(user=request.user)),
        "is_owner": request.user.is_superuser or whistle.blown_by_id == request.user.pk,
        "panels": panels_for("whistle", whistle, request.user),  # the apps above (hlgrid.panels)
    }
    return render(request, "petitions/whistle_detail.html", context)


@login_required
@require_POST
def checkin_act(request, pk: int, verb: str):
    checkin = selectors.checkin_scope(user=request.user).filter(pk=pk).first()
    if checkin is None:
        raise Http404
    try:
        if verb == "check-in":
            services.checkin_record(actor=request.user, checkin=checkin)
        elif verb == "report":
            services.checkin_report(
                actor=request.user, checkin=checkin, report=request.POST.get("report", "")
            )
        else:
            raise Http404
    except DomainError as error:
        messages.error(request, error.detail)
    else:
        messages.success(request, _("Done."))
    return _back_to(request, reverse("petitions:whistle", args=[checkin.whistle_id]))


# --- settings: the categories and their time limits (grids.access: configuration) ----------
def _configuration_viewer(request) -> bool:
    if not access.may_view_configuration(request.user):
        raise Http404()
    return access.may_configure(request.user)


@login_required
@require_safe
def settings_categories(request):
    may_change = _configuration_viewer(request)
    return render(
        request,
        "petitions/settings_categories.html",
        {
            "categories": selectors.category_settings_list(user=request.user),
            "may_change": may_change,
            "show_city": cities.shows_city(request.user),
        },
    )


@login_required
def settings_category(request, pk: int | None = None):
    """Create (no pk) or edit a category; the page says that open petitions keep their limits."""
    _configuration_viewer(request)
    mine = access.scope_to_cities(request.user, Category.objects.all())
    category = get_object_or_404(mine, pk=pk) if pk is not None else None
    if not access.may_configure(request.user, category.city if category is not None else None):
        raise PermissionDenied()
    initial = {}
    if category is not None:
        initial = {name: getattr(category, name) for name in services.categories.FIELDS}
        initial.update(parent=category.parent_id, department=category.department_id)
    form = forms.CategorySettingsForm(
        request.POST or None, initial=initial, category=category, user=request.user
    )
    if request.method == "POST" and form.is_valid():
        try:
            if category is None:
                category = services.category_create(actor=request.user, **form.cleaned_data)
                messages.success(request, _("The category %(name)s was created.") % {"name": category})
            else:
                category = services.category_update(
                    actor=request.user, category=category, **form.cleaned_data
                )
                messages.success(
                    request,
                    _(
                        "The category %(name)s was saved. It applies to petitions received or classified "
                        "from now on; its %(n)d open petitions keep their time limits."
                    )
                    % {"name": category, "n": selectors.category_open_count(category)},
                )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            return redirect("petitions:settings_categories")
    return render(
        request,
        "petitions/settings_category.html",
        {
            "form": form,
            "category": category,
            "open_count": selectors.category_open_count(category) if category is not None else 0,
        },
    )


# --- staff intake (接诉登记): a call, a walk-in, a window visit, a visit's finding ----------
