"""Staff intake (接诉登记): a call, a window visit, a walk-in or a visit's finding taken in on a
page, with the place found by building search, a map point or a grid and an address."""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from grids import access
from grids.access import scope_queryset
from grids.models import GridNode, NodeKind
from hlgrid.errors import DomainError, NotFound
from hlgrid.forms import add_domain_error
from petitions import forms, services


def _intake_grids(user):
    """The grids in which the user's posts let it take petitions in (workers, heads, officials)."""
    return scope_queryset(
        user, GridNode.objects.filter(kind=NodeKind.GRID), node_path="", post_kinds=access.FIELD_KINDS
    ).order_by("code")


def _intake_map(grids) -> list[dict]:
    """The outlines the intake map draws (the user's grids) and their names."""
    return [{"name": g.name, "boundary": g.boundary} for g in grids if g.boundary]


@login_required
def intake(request):
    """Staff take a petition in, phone-first: on success, the petition's page."""
    if not access.holds(request.user, access.FIELD_KINDS):
        raise PermissionDenied(_("Your post does not allow taking in petitions."))
    grids = _intake_grids(request.user)
    if request.method == "POST":
        form = forms.IntakeForm(request.POST, request.FILES, grids=grids)
        if form.is_valid():
            fields = form.intake()
            photos = fields.pop("photos")
            key = form.cleaned_data.get("idempotency_key") or None
            fingerprint = services.request_fingerprint(
                {k: (v.pk if hasattr(v, "pk") else v) for k, v in fields.items()}, {"photos": photos}
            )
            try:
                _code, answer, _created = services.petition_intake_submit(
                    actor=request.user,
                    idempotency_key=f"form:{key}" if key else None,
                    fingerprint=fingerprint,
                    render=lambda p: {"id": p.pk, "tracking_code": p.tracking_code},
                    photos=photos,
                    **fields,
                )
            except NotFound:
                raise Http404 from None  # a building or grid outside the scope: as if absent
            except services.IdempotencyConflict:
                # Sent before with other content (the back button): a fresh key sends this anew.
                form.data = form.data.copy()
                form.data["idempotency_key"] = uuid.uuid4().hex
                form.add_error(None, _("This form was sent before. Check the petitions, or send it again."))
            except DomainError as error:
                # The form carries a point in its latitude field and a building in its own.
                error.errors = {
                    {"location": "latitude", "building_id": "building", "grid_id": "grid"}.get(f, f): m
                    for f, m in error.errors.items()
                }
                add_domain_error(form, error)
            else:
                messages.success(
                    request,
                    _("Taken in. Tracking code %(code)s.") % {"code": answer["tracking_code"]},
                )
                return redirect("petitions:detail", pk=answer["id"])
    else:
        form = forms.IntakeForm(grids=grids, initial={"idempotency_key": uuid.uuid4().hex})
    chosen = []  # a form sent back keeps the building it had chosen
    building = form.cleaned_data.get("building") if form.is_bound and hasattr(form, "cleaned_data") else None
    if building:
        chosen = list(_intake_building_list(request.user, "").filter(pk=building)[:1])
    context = {"form": form, "outlines": _intake_map(grids), "chosen_buildings": chosen}
    return render(request, "petitions/intake.html", context)


def _intake_building_list(user, query: str):
    from residents.selectors import building_search  # residents is optional for petitions

    return building_search(user=user, query=query, post_kinds=access.FIELD_KINDS)


@login_required
@require_safe
def intake_buildings(request):
    """The intake page's building search (HTMX): buildings of the user's own grids only."""
    query = (request.GET.get("bq") or "").strip()[:60]
    try:
        buildings = list(_intake_building_list(request.user, query)[:20]) if query else []
    except ImportError:
        buildings = []
    return render(request, "petitions/_intake_buildings.html", {"buildings": buildings, "query": query})
