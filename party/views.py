"""Party pages: the chain, the alliance and project board, the volunteer's own page, the
organiser's activities and the window duty roster. Thin: selectors read, services write."""

import datetime
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from grids.access import get_scoped_or_404
from grids.models import GridNode
from grids.selectors import scope_roots
from hlgrid.errors import DomainError
from party import selectors
from party.models import Activity, ActivityStatus, ProjectStatus, Reward, ServiceItem, SignUp
from party.services.alliances import project_report
from party.services.time_bank import (
    reward_redeem,
    signup_cancel,
    signup_confirm,
    signup_create,
    signup_mark_absent,
)


def _error(request, exc: DomainError) -> None:
    """These pages post small forms and redirect: a refusal is shown as a message on the page
    they return to (hlgrid.forms.add_domain_error is for pages that re-render a Django form)."""
    details = [m for msgs in exc.errors.values() for m in msgs] or [exc.detail]
    for detail in details:
        messages.error(request, detail)


# --- the chain --------------------------------------------------------------------------------


@login_required
def chain(request):
    """The chain starts at the user's scope: one top organisation goes straight to its page."""
    roots = list(selectors.org_roots(user=request.user))
    if len(roots) == 1:
        return redirect("party:org", pk=roots[0].pk)
    return render(request, "party/chain.html", {"roots": roots})


@login_required
def org(request, pk: int):
    page = selectors.org_page(user=request.user, pk=pk)
    return render(request, "party/org.html", {"page": page, "org": page.org})


@login_required
def household_chain(request, pk: int):
    household, orgs = selectors.household_chain_for(user=request.user, household_id=pk)
    return render(request, "party/household_chain.html", {"household": household, "chain": orgs})


# --- alliances and projects ----------------------------------------------------------------


@login_required
def board(request):
    status = request.GET.get("status") or None
    if status not in (None, *ProjectStatus.values):
        status = None
    context = {
        "alliances": list(selectors.alliance_list(user=request.user)),
        "projects": list(selectors.project_list(user=request.user, status=status)[:200]),
        "totals": selectors.project_totals(user=request.user),
        "statuses": ProjectStatus.choices,
        "status": status,
    }
    return render(request, "party/board.html", context)


@login_required
def alliance(request, pk: int):
    item = selectors.alliance_get(user=request.user, pk=pk)
    context = {
        "alliance": item,
        "units": list(selectors.unit_list(user=request.user, alliance_id=item.pk)),
        "projects": list(selectors.project_list(user=request.user, alliance_id=item.pk)),
    }
    return render(request, "party/alliance.html", context)


@login_required
def project(request, pk: int):
    item = selectors.project_get(user=request.user, pk=pk)
    if request.method == "POST":
        try:
            progress = int(request.POST.get("progress", ""))
        except ValueError:
            progress = -1
        try:
            project_report(
                actor=request.user,
                project=item,
                progress=progress,
                text=request.POST.get("text", ""),
                spent=request.POST.get("spent") or Decimal("0"),
            )
        except DomainError as exc:
            _error(request, exc)
        else:
            messages.success(request, _("The progress report was recorded."))
            return redirect("party:project", pk=item.pk)
    return render(request, "party/project.html", {"project": item, "reports": list(item.reports.all())})


# --- the volunteer's page -------------------------------------------------------------------


@login_required
def volunteer(request):
    me = selectors.volunteer_of(request.user)
    if me is None:
        return render(request, "party/not_volunteer.html", status=404)
    page = selectors.volunteer_page(volunteer=me)
    start, end = selectors.period_bounds("month")
    community = me.grid.parent or me.grid
    context = {
        "page": page,
        "me": me,
        "ranking": selectors.ranking(node=community, start=start, end=end, limit=10),
        "community": community,
    }
    return render(request, "party/volunteer.html", context)


@login_required
@require_POST
def sign_up(request, pk: int):
    me = selectors.volunteer_of(request.user)
    if me is None:
        raise Http404
    activity = selectors.activity_get(user=request.user, pk=pk)
    try:
        signup_create(actor=request.user, volunteer=me, activity=activity)
    except DomainError as exc:
        _error(request, exc)
    else:
        messages.success(request, _("You signed up for %(title)s.") % {"title": activity.title})
    return redirect("party:volunteer")


@login_required
@require_POST
def cancel(request, pk: int):
    me = selectors.volunteer_of(request.user)
    if me is None:
        raise Http404
    signup = get_object_or_404(SignUp, pk=pk, volunteer=me)
    try:
        signup_cancel(actor=request.user, signup=signup)
    except DomainError as exc:
        _error(request, exc)
    else:
        messages.success(request, _("Your sign-up was cancelled."))
    return redirect("party:volunteer")


@login_required
@require_POST
def redeem(request, pk: int):
    me = selectors.volunteer_of(request.user)
    if me is None:
        raise Http404
    reward = get_object_or_404(Reward, pk=pk, is_active=True)
    try:
        reward_redeem(actor=request.user, volunteer=me, reward=reward)
    except DomainError as exc:
        _error(request, exc)
    else:
        messages.success(request, _("You redeemed %(reward)s.") % {"reward": reward.name})
    return redirect("party:volunteer")


# --- the organiser's activities -------------------------------------------------------------


@login_required
def activities(request):
    rows = selectors.activity_list(user=request.user).exclude(status=ActivityStatus.CANCELLED)
    now = timezone.now()
    context = {
        "current": list(
            rows.filter(ends_at__gt=now - datetime.timedelta(days=7)).order_by("starts_at")[:100]
        ),
        "past": list(rows.filter(ends_at__lte=now - datetime.timedelta(days=7))[:50]),
    }
    return render(request, "party/activities.html", context)


def _staff_activity(request, pk: int):
    own = selectors.activity_list(user=request.user).filter(pk=pk, organiser=request.user).first()
    if own is not None:
        return own
    return get_scoped_or_404(
        request.user, selectors._places_taken(Activity.objects.all()), node_path="grid", pk=pk
    )


@login_required
def activity(request, pk: int):
    item = _staff_activity(request, pk)
    context = {
        "activity": item,
        "signups": list(selectors.activity_signups(activity=item)),
        "started": timezone.now() >= item.starts_at,
        "default_hours": _default_hours(item),
    }
    return render(request, "party/activity.html", context)


def _default_hours(activity) -> Decimal:
    hours = Decimal((activity.ends_at - activity.starts_at).total_seconds()) / 3600
    return (hours * 2).to_integral_value() / 2 or Decimal("0.5")


@login_required
@require_POST
def confirm(request, pk: int):
    signup = get_object_or_404(SignUp.objects.select_related("activity"), pk=pk)
    _staff_activity(request, signup.activity_id)  # 404 for anyone else
    try:
        if request.POST.get("absent"):
            signup_mark_absent(actor=request.user, signup=signup)
        else:
            confirmed, entry = signup_confirm(
                actor=request.user, signup=signup, hours=request.POST.get("hours", "")
            )
            messages.success(
                request,
                _("%(name)s: %(hours)s hours, %(points)s points.")
                % {"name": confirmed.volunteer.name, "hours": entry.hours, "points": entry.points},
            )
    except DomainError as exc:
        _error(request, exc)
    return redirect("party:activity", pk=signup.activity_id)


# --- the window duty roster -----------------------------------------------------------------


@login_required
def roster(request):
    day = parse_date(request.GET.get("day") or "") or timezone.localdate()
    windows = list(selectors.window_list(user=request.user))
    shifts = selectors.roster(user=request.user, day=day)
    by_window = {w.pk: [] for w in windows}
    grid_duty = []
    for shift in shifts:
        if shift.window_id in by_window:
            by_window[shift.window_id].append(shift)
        elif shift.window_id is None:
            grid_duty.append(shift)
    items = list(ServiceItem.objects.order_by("code"))
    answer = None
    query = request.GET
    if query.get("window") and query.get("item"):
        window = next((w for w in windows if str(w.pk) == query["window"]), None)
        item = next((i for i in items if str(i.pk) == query["item"]), None)
        at = parse_datetime(query.get("at") or "")
        if at is not None and timezone.is_naive(at):
            at = timezone.make_aware(at)
        at = at or timezone.now()
        if window is not None and item is not None:
            answer = {
                "window": window,
                "item": item,
                "at": at,
                "workers": list(selectors.on_duty(window=window, at=at, item=item)),
            }
    context = {
        "day": day,
        "previous": day - datetime.timedelta(days=1),
        "next": day + datetime.timedelta(days=1),
        "windows": [(w, by_window[w.pk]) for w in windows],
        "grid_duty": grid_duty,
        "items": items,
        "answer": answer,
        "query": query,
    }
    return render(request, "party/roster.html", context)


@login_required
def ranking(request):
    period = request.GET.get("period", "month")
    if period not in ("month", "quarter", "year"):
        period = "month"
    roots = scope_roots(user=request.user)
    node_id = request.GET.get("node")
    if node_id and node_id.isdigit():
        node = get_scoped_or_404(request.user, GridNode.objects.all(), node_path="", pk=int(node_id))
    elif roots:
        node = roots[0]
    else:
        raise Http404
    start, end = selectors.period_bounds(period)
    context = {
        "node": node,
        "period": period,
        "volunteers": selectors.ranking(node=node, start=start, end=end, limit=50),
        "grids": selectors.grid_ranking(node=node, start=start, end=end),
    }
    return render(request, "party/ranking.html", context)
