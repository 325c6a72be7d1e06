"""The residents' pages (no account): the report form, joining a report nearby (我也遇到了)
and the tracking page. Thin views over services and selectors, phone-first."""

import uuid

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from grids.models import GridNode, NodeKind
from hlgrid import media
from hlgrid.errors import DomainError
from hlgrid.forms import add_domain_error
from hlgrid.ids import parse_id
from hlgrid.throttles import AddressThrottle
from petitions import forms, selectors, services
from petitions.models import Status


# --- residents (no account) ------------------------------------------------------------------
def report(request):
    """The resident's report form: phone-first, a photo from the camera, "use my location", an
    address search and a pin on the grid map; the open reports of the same category nearby are
    offered for joining (我也遇到了) before a duplicate is sent. `?grid=<pk>` (the 联心卡's QR
    code) presets the grid and starts the pin at its centre."""
    if request.method == "POST":
        form = forms.ReportForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            photos = data.pop("photos")
            key = data.pop("idempotency_key") or None
            fingerprint = services.request_fingerprint(
                {k: (v.pk if hasattr(v, "pk") else v) for k, v in data.items()}, {"photos": photos}
            )
            try:
                _code, answer, _created = services.public_petition_submit(
                    idempotency_key=f"form:{key}" if key else None,
                    fingerprint=fingerprint,
                    render=lambda p: {"tracking_code": p.tracking_code},
                    photos=photos,
                    **data,
                )
            except DomainError as error:
                # The form carries the position in its latitude field: "location" is shown there.
                error.errors = {
                    ("latitude" if f in ("location", "grid") else f): m for f, m in error.errors.items()
                }
                add_domain_error(form, error)
            else:
                messages.success(request, _("Thank you. Keep your tracking code to follow your report."))
                return redirect("petitions:track", code=answer["tracking_code"])
        grid = form.cleaned_data.get("grid") if hasattr(form, "cleaned_data") else None
    else:
        grid = _preset_grid(request.GET.get("grid"))
        form = forms.ReportForm(initial={"idempotency_key": uuid.uuid4().hex, "grid": grid})
    join_form = forms.JoinForm(initial={"idempotency_key": uuid.uuid4().hex})
    return render(request, "petitions/report.html", _report_context(form, join_form, grid))


def _preset_grid(value) -> GridNode | None:
    pk = parse_id(value)
    if pk is None:
        return None
    return GridNode.objects.filter(pk=pk, kind=NodeKind.GRID).first()


def _report_context(form, join_form, grid) -> dict:
    grid_map = selectors.public_grid_map()
    start = grid_map["start"]
    if grid is not None and grid.centroid_lat is not None:
        start = {"lat": grid.centroid_lat, "lng": grid.centroid_lng, "zoom": 16, "grid": grid.pk}
    return {
        "form": form,
        "join_form": join_form,
        "grid_map": grid_map,
        "map_start": start,
        "preset_grid": grid,
    }


class _JoinThrottle(AddressThrottle):
    """The join page counts against the public API's rate (per client address)."""

    scope = "public"


@require_POST
def report_join(request):
    """我也遇到了 from the report form: the joiner's own tracking code, on the shared petition."""
    form = forms.JoinForm(request.POST)
    if not _JoinThrottle().allow_request(request, None):
        messages.error(request, _("Too many requests from this device; try again in a minute."))
        return redirect("petitions:report")
    if form.is_valid():
        data = form.cleaned_data
        key = data.pop("idempotency_key") or None
        try:
            join, _created = services.petition_join(
                tracking_code_or_pk=data["petition"],
                note=data["note"],
                phone=data["phone"],
                notify=data["notify"],
                latitude=data["latitude"],
                longitude=data["longitude"],
                idempotency_key=f"form:{key}" if key else None,
                fingerprint=services.request_fingerprint(data, {}),
            )
        except DomainError as error:
            error.errors = {("petition" if f == "location" else f): m for f, m in error.errors.items()}
            add_domain_error(form, error)
        else:
            messages.success(
                request,
                _("You joined this report. Keep your own tracking code to follow it and rate the result."),
            )
            return redirect("petitions:track", code=join.tracking_code)
    report_form = forms.ReportForm(initial={"idempotency_key": uuid.uuid4().hex})
    return render(request, "petitions/report.html", _report_context(report_form, form, None), status=400)


def track_lookup(request):
    code = services.normalise_tracking_code(request.GET.get("code", ""))
    if code:
        return redirect("petitions:track", code=code)
    return render(request, "petitions/track_lookup.html")


def track(request, code: str):
    """The tracking page for the holder of a code: the reporter's, a merged duplicate's (shows
    the surviving report) or a joiner's (shows the shared report, rated for themselves)."""
    petition = selectors.public_petition(tracking_code=code)
    if petition is None:
        return render(request, "petitions/track_lookup.html", {"not_found": code}, status=404)
    form = forms.RatingForm()
    if request.method == "POST":
        form = forms.RatingForm(request.POST)
        if form.is_valid():
            try:
                services.public_callback(tracking_code=code, **form.cleaned_data)
            except DomainError as error:
                add_domain_error(form, error)
            else:
                messages.success(request, _("Thank you for your rating."))
                return redirect("petitions:track", code=code)
    context = {
        "petition": petition,
        "timeline": selectors.public_timeline(petition=petition),
        "form": form,
        "steps": _milestones(petition),
        "badge": _final_badge(petition),
        "photos": selectors.public_attachments(petition=petition),
    }
    return render(request, "petitions/track.html", context)


@require_safe
def track_photo(request, code: str, pk: int):
    """A photo for the reporter holding the tracking code: their own report's photos and the
    resolution photos, never another report's (404 like an unknown code)."""
    attachment = selectors.public_attachment_get(tracking_code=code, pk=pk)
    if attachment is None:
        raise Http404
    return media.file_response(attachment.file, content_type=attachment.content_type)


def _milestones(petition) -> list[dict]:
    """The steps with their dates (from the petition's milestones): done, current or to come."""
    s = petition.status
    rejected, closed = s == Status.REJECTED, s == Status.CLOSED
    resolved = s in (Status.RESOLVED, Status.CLOSED)
    handling = resolved or s in (Status.HANDLING, Status.PAUSED)
    steps = [
        {"key": "received", "label": _("Received"), "at": petition.received_at, "done": True},
    ]
    if rejected:
        steps.append({"key": "rejected", "label": _("Not accepted"), "at": petition.closed_at, "done": True})
        return _states(steps)
    steps += [
        {
            "key": "verified",
            "label": _("Verified"),
            "at": petition.verified_at,
            "done": petition.verified_at is not None or s != Status.RECEIVED,
        },
        {"key": "classified", "label": _("Assigned"), "at": petition.classified_at, "done": handling},
        {
            "key": "handling",
            "label": _("Being handled"),
            "at": None,
            "due": petition.handle_due_at if not resolved else None,
            "done": resolved,
        },
        {"key": "resolved", "label": _("Resolved"), "at": petition.resolved_at, "done": resolved},
        {"key": "closed", "label": _("Closed"), "at": petition.closed_at, "done": closed},
    ]
    return _states(steps)


def _states(steps: list[dict]) -> list[dict]:
    current = next((i for i, step in enumerate(steps) if not step["done"]), None)
    for i, step in enumerate(steps):
        step["state"] = "done" if step["done"] else ("current" if i == current else "todo")
    return steps


def _final_badge(petition) -> dict | None:
    """The badge of a finished report: 已办结, 未予受理 (with the reason) or 已合并."""
    if petition.merged_from is not None:
        return {"kind": "merged", "label": _("Merged"), "css": "text-bg-secondary"}
    if petition.status == Status.CLOSED:
        return {"kind": "closed", "label": _("Completed"), "css": "text-bg-success"}
    if petition.status == Status.REJECTED:
        return {
            "kind": "rejected",
            "label": _("Not accepted"),
            "css": "text-bg-warning",
            "reason": petition.reject_reason,
        }
    return None


# --- staff pages -------------------------------------------------------------------------------
