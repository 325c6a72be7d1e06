"""The phone pages of a 楼栋长 or 单元长: home (its building or unit, key people), one household
(names and masked phones) and the "seen" confirmation of a key person. 404 without a head account."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hlgrid.errors import DomainError, NotFound
from residents import heads
from residents.models import Resident


@login_required
def head_home(request):
    account = heads.head_or_404(request.user)
    return render(
        request,
        "residents/head_home.html",
        {
            "account": account,
            "units": heads.head_units(account=account),
            "households": heads.head_households(account=account),
            "key_people": heads.head_key_people(account=account),
        },
    )


@login_required
def head_household(request, pk: int):
    account = heads.head_or_404(request.user)
    try:
        household, people = heads.head_household(account=account, pk=pk)
    except NotFound:
        raise Http404() from None
    return render(
        request,
        "residents/head_household.html",
        {"account": account, "household": household, "people": people},
    )


@login_required
@require_POST
def head_seen(request, pk: int):
    heads.head_or_404(request.user)
    resident = get_object_or_404(Resident, pk=pk)
    try:
        heads.sighting_record(actor=request.user, resident=resident, note=request.POST.get("note", ""))
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Thank you: %(name)s was recorded as seen.") % {"name": resident.name})
    return redirect("residents:head_home")
