"""Deliberation pages (phone-first, Chinese by default): the workbench, topics, meetings with
their votes, resolutions, and the residents' side (raise a topic, follow it, the node's
board). Thin: selectors read, services write; a refusal is shown on the page it returns to."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from deliberation import forms, selectors, services
from deliberation.models import (
    Channel,
    Choice,
    ParticipantRole,
    Share,
    TopicStatus,
    VoteRule,
    VoteStatus,
)
from deliberation.policy import LEADING_KINDS, STAFF_KINDS
from deliberation.services.votes import electorate_households
from grids import access
from grids.models import GridNode, NodeKind
from hlgrid.crypto import mask_text
from hlgrid.errors import DomainError
from hlgrid.forms import add_domain_error
from hlgrid.models import User
from hlgrid.panels import panels_for
from residents import selectors as residents_selectors


def _error(request, exc: DomainError) -> None:
    details = [m for msgs in exc.errors.values() for m in msgs] or [exc.detail]
    for detail in details:
        messages.error(request, detail)


def _int(value) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 < number < 2**62 else None


def _when(value) -> datetime.datetime | None:
    """A datetime-local input (local time) as an aware datetime."""
    parsed = parse_datetime(value or "")
    if parsed is not None and timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return parsed


def _nodes(user, kinds=STAFF_KINDS) -> list[GridNode]:
    """The grids and communities the user may raise topics for (or, with the leading kinds,
    call meetings for): one query."""
    nodes = access.scope_queryset(
        user,
        GridNode.objects.filter(kind__in=[NodeKind.GRID, NodeKind.COMMUNITY]),
        node_path="",
        post_kinds=kinds,
    )
    return list(nodes.order_by("tree_id", "lft")[:300])


# --- the workbench ----------------------------------------------------------------------------


@login_required
def index(request):
    if not access.holds(request.user, STAFF_KINDS):
        raise Http404
    status = request.GET.get("status") or None
    if status not in (None, "open", "closed", *TopicStatus.values):
        status = None
    bench = selectors.workbench(user=request.user, status=status)
    return render(
        request,
        "deliberation/index.html",
        {"bench": bench, "status": status, "statuses": TopicStatus.choices, "section": "index"},
    )


# --- topics -----------------------------------------------------------------------------------


@login_required
def topic_new(request):
    visit = None
    visit_id = _int(request.GET.get("visit") or request.POST.get("visit"))
    if visit_id:
        visit = (
            residents_selectors.visit_list(user=request.user)
            .filter(pk=visit_id)
            .select_related("grid")
            .first()
        )
        if visit is None:
            raise Http404
    # From a visit: its grid and what the worker found there, to edit rather than type again.
    initial = {"node": visit.grid_id, "description": visit.problem_description} if visit else {}
    form = forms.TopicForm(request.POST or None, nodes=_nodes(request.user), initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            topic = services.topic_raise(
                actor=request.user,
                node=data["node"],
                title=data["title"],
                description=data["description"],
                building=data.get("building"),
                unit=data.get("unit"),
                visit_id=visit.pk if visit else None,
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("The topic is raised; a head will screen it."))
            return redirect("deliberation:topic", pk=topic.pk)
    return render(request, "deliberation/topic_new.html", {"form": form, "visit": visit, "section": "index"})


@login_required
def topic(request, pk: int):
    page = selectors.topic_page(user=request.user, pk=pk)
    if request.method == "POST":
        target = None
        try:
            merge_id = _int(request.POST.get("merge_into"))
            if merge_id:
                target = services.topics.topic_get_for_merge(
                    actor=request.user, topic=page.topic, pk=merge_id
                )
            services.topic_screen(
                actor=request.user,
                topic=page.topic,
                decision=request.POST.get("decision", ""),
                reason=request.POST.get("reason", ""),
                merge_into=target,
            )
        except DomainError as exc:
            _error(request, exc)
        else:
            messages.success(request, _("The topic is screened."))
        return redirect("deliberation:topic", pk=pk)
    return render(request, "deliberation/topic.html", {"page": page, "topic": page.topic, "section": "index"})


# --- meetings ---------------------------------------------------------------------------------


@login_required
def meeting_new(request):
    nodes = _nodes(request.user, LEADING_KINDS)
    if not nodes:
        raise Http404
    accepted = list(
        selectors.topic_list(user=request.user, status=TopicStatus.ACCEPTED).order_by("-created_at")[:100]
    )
    form = forms.MeetingForm(request.POST or None, nodes=nodes, topics=accepted)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            meeting = services.meeting_create(
                actor=request.user,
                node=data["node"],
                title=data["title"],
                starts_at=data["starts_at"],
                place=data["place"],
                invited_roles=data["invited_roles"],
                topics=data["topics"],
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("The meeting is called."))
            return redirect("deliberation:meeting", pk=meeting.pk)
    return render(request, "deliberation/meeting_new.html", {"form": form, "section": "index"})


@login_required
def meeting(request, pk: int):
    page = selectors.meeting_page(user=request.user, pk=pk)
    context = {
        "page": page,
        "meeting": page.meeting,
        "roles": ParticipantRole.choices,
        "rules": VoteRule.choices,
        "shares": Share.choices,
        "households": _meeting_households(request.user, page.meeting),
        "section": "index",
        "now": timezone.localtime(),
    }
    return render(request, "deliberation/meeting.html", context)


def _meeting_households(user, meeting) -> list:
    """Households of the meeting's node that a representative may speak for (one query)."""
    node = meeting.node
    return list(
        residents_selectors.household_list(user=user)
        .filter(grid__tree_id=node.tree_id, grid__lft__gte=node.lft, grid__rght__lte=node.rght)
        .order_by("label")
        .values_list("pk", "label")[:500]
    )


@login_required
@require_POST
def meeting_act(request, pk: int, verb: str):
    meeting = selectors.meeting_get(user=request.user, pk=pk)
    post = request.POST
    try:
        if verb == "participant":
            household = None
            if _int(post.get("household")):
                household = (
                    residents_selectors.household_list(user=request.user).filter(pk=post["household"]).first()
                )
            services.participant_add(
                actor=request.user,
                meeting=meeting,
                role=post.get("role", ""),
                name=post.get("name", ""),
                household=household,
            )
        elif verb == "attendance":
            services.attendance_record(
                actor=request.user,
                meeting=meeting,
                present=[p for p in map(_int, post.getlist("present")) if p],
            )
        elif verb == "minutes":
            services.meeting_record_minutes(
                actor=request.user, meeting=meeting, minutes=post.get("minutes", "")
            )
        elif verb == "agenda":
            found = selectors.topic_list(user=request.user).filter(pk=_int(post.get("topic")) or 0).first()
            if found is None:
                raise Http404
            services.agenda_add(actor=request.user, meeting=meeting, topic=found)
        elif verb == "vote":
            found = (
                meeting.agenda.filter(topic_id=_int(post.get("topic")) or 0)
                .select_related("topic__node")
                .first()
            )
            if found is None:
                raise Http404
            services.vote_open(
                actor=request.user,
                meeting=meeting,
                topic=found.topic,
                question=post.get("question", ""),
                rule=post.get("rule", ""),
                quorum=post.get("quorum", ""),
                threshold=post.get("threshold", ""),
                opens_at=_when(post.get("opens_at")),
                closes_at=_when(post.get("closes_at")),
            )
        elif verb == "cancel":
            services.meeting_cancel(actor=request.user, meeting=meeting)
        else:
            raise Http404
    except DomainError as exc:
        _error(request, exc)
    else:
        messages.success(request, _("Saved."))
    return redirect("deliberation:meeting", pk=pk)


# --- votes ------------------------------------------------------------------------------------


@login_required
def vote(request, pk: int):
    found = selectors.vote_get(user=request.user, pk=pk)
    context = {
        "vote": found,
        "panel": selectors.vote_panel(vote=found),
        "tally": services.Tally(
            electorate=found.electorate,
            yes=found.live_yes,
            no=found.live_no,
            abstain=found.live_abstain,
            quorum=found.quorum,
            threshold=found.threshold,
        ),
        "choices": Choice.choices,
        "may_lead": access.covers(request.user, found.node, kinds=LEADING_KINDS),
        "staff": selectors.staff_over(found.node) if found.status == VoteStatus.CLOSED else [],
        "resolutions": list(selectors.with_light(found.resolutions.select_related("owner"))),
        "section": "index",
    }
    return render(request, "deliberation/vote.html", context)


@login_required
@require_POST
def vote_act(request, pk: int, verb: str):
    found = selectors.vote_get(user=request.user, pk=pk)
    post = request.POST
    try:
        if verb == "ballot":
            household = participant = None
            voter = _int(post.get("voter"))
            if found.rule == VoteRule.HOUSEHOLD:
                household = (
                    residents_selectors.household_list(user=request.user).filter(pk=voter or 0).first()
                )
            else:
                participant = found.meeting.participants.filter(pk=voter or 0).first()
            services.ballot_cast(
                actor=request.user,
                vote=found,
                choice=post.get("choice", ""),
                household=household,
                participant=participant,
                channel=post.get("channel") or Channel.MEETING,
            )
        elif verb == "close":
            services.vote_close(actor=request.user, vote=found)
        elif verb == "resolution":
            owner = User.objects.filter(pk=_int(post.get("owner")) or 0, is_active=True).first()
            services.resolution_create(
                actor=request.user,
                vote=found,
                text=post.get("text", ""),
                owner=owner,
                working_days=_int(post.get("working_days")) or 0,
            )
        else:
            raise Http404
    except DomainError as exc:
        _error(request, exc)
    else:
        messages.success(request, _("Saved."))
    return redirect("deliberation:vote", pk=pk)


# --- resolutions ------------------------------------------------------------------------------


@login_required
def resolution(request, pk: int):
    found = selectors.resolution_get(user=request.user, pk=pk)
    if request.method == "POST":
        verb = request.POST.get("verb")
        try:
            if verb == "close":
                services.resolution_close(
                    actor=request.user, resolution=found, note=request.POST.get("note", "")
                )
            elif verb == "publish":
                services.resolution_publish(actor=request.user, resolution=found)
            else:
                raise Http404
        except DomainError as exc:
            _error(request, exc)
        else:
            messages.success(request, _("Saved."))
        return redirect("deliberation:resolution", pk=pk)
    context = {
        "resolution": found,
        "is_owner": found.owner_id == request.user.pk,
        "may_lead": access.covers(request.user, found.node, kinds=LEADING_KINDS),
        "section": "index",
        "panels": panels_for("resolution", found, request.user),  # the apps above (hlgrid.panels)
    }
    return render(request, "deliberation/resolution.html", context)


# --- residents (no account) -------------------------------------------------------------------


def public_new(request):
    grids = list(GridNode.objects.filter(kind=NodeKind.GRID).order_by("code").only("pk", "name"))
    form = forms.PublicTopicForm(request.POST or None, grids=grids)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            topic = services.topic_submit_public(
                title=data["title"],
                description=data["description"],
                latitude=data.get("latitude"),
                longitude=data.get("longitude"),
                grid_id=data["grid"].pk if data.get("grid") else None,
                building=data["building"],
                unit=data["unit"],
                door=data["door"],
                phone=data["phone"],
                about=data["about"],
            )
        except DomainError as exc:
            exc.errors = {("latitude" if f == "location" else f): m for f, m in exc.errors.items()}
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Thank you. Keep your tracking code to follow your topic."))
            return redirect("deliberation:public_topic", code=topic.tracking_code)
    return render(request, "deliberation/public_new.html", {"form": form})


def public_topic(request, code: str):
    code = services.normalise_tracking_code(code)
    found = selectors.public_topic(tracking_code=code)
    if found is None:
        context = {"not_found": code, "boards": selectors.public_boards()}
        return render(request, "deliberation/public_lookup.html", context, status=404)
    return render(
        request,
        "deliberation/public_topic.html",
        {
            "topic": found,
            "proposer": _masked_place(found),
            "open_vote": selectors.public_open_vote(topic=found),
        },
    )


def _masked_place(topic) -> str:
    """The proposing household as the public may see it: building and unit, never the door."""
    household = topic.household
    if household is None:
        return ""
    return f"{household.unit.building.number}栋{household.unit.number}单元{mask_text(household.door)}"


def public_vote(request, code: str):
    """A household votes online within the window, identified by its address and phone."""
    topic = selectors.public_topic(tracking_code=services.normalise_tracking_code(code))
    vote = selectors.public_open_vote(topic=topic) if topic is not None else None
    if vote is None:
        raise Http404
    form = forms.PublicBallotForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            household = services.household_match(
                candidates=electorate_households(topic, counted_at=vote.counted_at),
                building=data["building"],
                unit=data["unit"],
                door=data["door"],
                phone=data["phone"],
            )
            services.ballot_cast_public(vote=vote, household=household, choice=data["choice"])
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Thank you: your household's vote is counted."))
            return redirect("deliberation:public_topic", code=topic.tracking_code)
    return render(request, "deliberation/public_vote.html", {"topic": topic, "vote": vote, "form": form})


def public_lookup(request):
    code = services.normalise_tracking_code(request.GET.get("code", ""))
    if code:
        return redirect("deliberation:public_topic", code=code)
    return render(request, "deliberation/public_lookup.html", {"boards": selectors.public_boards()})


def public_board(request, node_id: int):
    node, resolutions, topics = selectors.public_board(node_id=node_id)
    return render(
        request,
        "deliberation/public_board.html",
        {"node": node, "resolutions": resolutions, "topics": topics},
    )
