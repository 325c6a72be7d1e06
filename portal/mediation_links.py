"""Turning a petition into a dispute case (邻里纠纷 come in as petitions): the one flow that
reads a petition and writes a case, so it lives here in the composing app — mediation may not
import petitions. The petition is fetched through petitions' scoped selector (404 outside the
caller's scope); the case is registered through mediation's service, which checks the actor
over the petition's grid again (department staff, who see a petition by assignment, do not
handle the grid's disputes)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from hlgrid.errors import DomainError, NotFound
from mediation import services as mediation_services
from mediation.models import Case, Kind, PartyRole, Source
from mediation.views import OTHER_PARTY_ROWS, party_inputs, problems_of
from petitions import selectors as petition_selectors
from petitions.models import Status as PetitionStatus

NOT_TURNED = (PetitionStatus.DRAFT, PetitionStatus.REJECTED, PetitionStatus.MERGED)


@login_required
def from_petition(request, pk: int):
    petition = petition_selectors.petition_get(user=request.user, pk=pk)
    existing = Case.objects.filter(petition_id=petition.pk).values_list("pk", flat=True).first()
    if existing:
        return redirect("mediation:detail", pk=existing)
    problems, values = [], request.POST
    if petition.status in NOT_TURNED:
        problems = [_("This petition cannot be turned into a dispute case.")]
    elif request.method == "POST":
        try:
            parties = party_inputs(request, {})
            if request.POST.get("reporter") == "1" and petition.reporter_name:
                # the reporter's contact moves encrypted from the petition into the case
                parties.insert(
                    0,
                    mediation_services.PartyInput(
                        role=PartyRole.APPLICANT, name=petition.reporter_name, phone=petition.reporter_phone
                    ),
                )
            case = mediation_services.case_register(
                actor=request.user,
                source=Source.PETITION,
                kind=request.POST.get("kind", ""),
                description=request.POST.get("description", ""),
                petition=petition,
                parties=parties,
            )
        except NotFound:  # outside the actor's grids: the page's 404, never a form error
            raise Http404 from None
        except DomainError as error:
            problems = problems_of(error)
        else:
            messages.success(request, _("The dispute is registered. Grade its risk now."))
            return redirect("mediation:detail", pk=case.pk)
    return render(
        request,
        "mediation/new.html",
        {
            "petition": petition,
            "has_reporter": bool(petition.reporter_name),
            "visit": None,
            "grids": [],
            "residents": [],
            "kinds": Kind.choices,
            "roles": PartyRole.choices,
            "other_rows": range(OTHER_PARTY_ROWS),
            "problems": problems,
            "values": values,
            "description": values.get("description") or petition.description,
            "section": "new",
        },
        status=400 if problems else 200,
    )
