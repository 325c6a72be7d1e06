"""The grid staff's page of its 楼栋长 and 单元长: who heads each building and unit, which of them
have a login, a login given (its one-time password shown once, on the answer to the form, never
stored or mailed) or ended, and the latest "seen" confirmations of key people by the heads."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hlgrid.errors import DomainError
from hlgrid.ids import parse_id
from residents import heads
from residents.models import HeadAccount, Resident, Unit
from residents.selectors import grid_get


def _page(request, grid, *, new=None, error=None, status=200):
    return render(
        request,
        "residents/grid_heads.html",
        {
            "grid": grid,
            "seats": heads.head_seats_for_staff(user=request.user, grid=grid),
            "sightings": heads.sightings_for_staff(user=request.user, grid=grid, limit=20),
            "new": new,
            "error": error,
        },
        status=status,
    )


@login_required
def grid_heads(request, pk: int):
    grid = grid_get(user=request.user, pk=pk)
    if request.method != "POST":
        return _page(request, grid)
    resident = get_object_or_404(
        Resident, pk=parse_id(request.POST.get("resident")), household__unit__building__grid=grid
    )
    unit_id = request.POST.get("unit") or None
    unit = get_object_or_404(Unit, pk=parse_id(unit_id), building__grid=grid) if unit_id else None
    try:
        new = heads.head_account_create(
            actor=request.user,
            resident=resident,
            unit=unit,
            username=request.POST.get("username", ""),
            phone=request.POST.get("phone", ""),
        )
    except DomainError as error:
        return _page(request, grid, error=error, status=400)
    return _page(request, grid, new=new)


@login_required
@require_POST
def head_account_end(request, pk: int):
    account = get_object_or_404(HeadAccount.objects.select_related("grid"), pk=parse_id(pk))
    grid = grid_get(user=request.user, pk=account.grid_id)  # 404 outside the grid first
    try:
        heads.head_account_end(actor=request.user, account=account)
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The login of %(name)s was ended.") % {"name": account.resident.name})
    return redirect("residents:grid_heads", pk=grid.pk)
