"""The phone pages of an in-service Party member (在职党员): report (报到) to the grid where they
live, log a service they gave there (hours, what, a photo optionally) and see their own record;
and the pages where a member unit (its contact, or the officials over its alliance) reads its
members' records. Thin: party.selectors read, party.services.alliances write."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from hlgrid.errors import DomainError, InvalidInput, NotFound
from hlgrid.ids import parse_id
from hlgrid.media import file_response
from party import selectors
from party.services.alliances import inservice_member_report, inservice_service_record


def _error(request, exc: DomainError) -> None:
    details = [m for msgs in exc.errors.values() for m in msgs] or [exc.detail]
    for detail in details:
        messages.error(request, detail)


def _me(request):
    member = selectors.inservice_member_of(request.user)
    if member is None:
        raise Http404
    return member


@login_required
def me(request):
    """The member's page; it takes the report (报到) and the service log (posted with `action`),
    and on a refusal shows the form again with what was typed."""
    member = _me(request)
    form = {"served_on": timezone.localdate().isoformat()}
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "report":
                _report(request, member)
            elif action == "log":
                _log(request, member)
            else:
                raise InvalidInput.field("action", _("Unknown action."))
        except DomainError as exc:
            _error(request, exc)
            form = {k: request.POST.get(k, "") for k in ("served_on", "hours", "description")}
        else:
            return redirect("party:inservice_me")
    context = {
        "member": member,
        "records": list(selectors.inservice_records(member=member)[:100]),
        "totals": selectors.inservice_hours(member=member),
        "grids": list(selectors.report_grids(member=member)) if member.grid_id is None else [],
        "today": timezone.localdate(),
        "form": form,
    }
    return render(request, "party/inservice_me.html", context)


def _report(request, member) -> None:
    grid_id = parse_id(request.POST.get("grid") or "")
    grid = selectors.report_grids(member=member).filter(pk=grid_id or 0).first()
    if grid is None:
        raise InvalidInput.field("grid", _("Choose the grid where you live."))
    inservice_member_report(actor=request.user, member=member, grid=grid)
    messages.success(request, _("You reported to %(grid)s.") % {"grid": grid.name})


def _log(request, member) -> None:
    post = request.POST
    served_on = parse_date(post.get("served_on") or "")
    if served_on is None:
        raise InvalidInput.field("served_on", _("Give a date."))
    inservice_service_record(
        actor=request.user,
        member=member,
        served_on=served_on,
        hours=post.get("hours", ""),
        description=post.get("description", ""),
        photo=request.FILES.get("photo"),
    )
    messages.success(request, _("Your service was logged."))


@login_required
def record_photo(request, pk: int):
    try:
        record = selectors.inservice_record_for(user=request.user, pk=pk)
    except NotFound:
        raise Http404 from None
    return file_response(record.photo)


@login_required
def units(request):
    rows = list(selectors.member_units(user=request.user))
    if len(rows) == 1:
        return redirect("party:member_unit", pk=rows[0].pk)
    return render(request, "party/member_units.html", {"units": rows})


@login_required
def unit(request, pk: int):
    try:
        item = selectors.member_unit_get(user=request.user, pk=pk)
    except NotFound:
        raise Http404 from None
    members = list(selectors.unit_members(unit=item))
    context = {
        "unit": item,
        "members": members,
        "reported": sum(1 for m in members if m.grid_id),
        "records": selectors.unit_records(unit=item),
    }
    return render(request, "party/member_unit.html", context)
