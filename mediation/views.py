"""Dispute pages: thin views over mediation.services and mediation.selectors (Chinese by
default, phone-first for the worker in the field). Every object comes from a scoped selector,
so an outsider's page is a 404; every write is one service call whose errors come back into
the page."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hlgrid.errors import DomainError, InvalidInput, NotFound
from mediation import clock, selectors, services
from mediation.models import Kind, MediatorKind, PartyRole, ReferredTo, Risk, Source, Status
from residents.models import Resident

OTHER_PARTY_ROWS = 2


def _int(value) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 < number < 2**63 else None


def problems_of(error: DomainError) -> list[str]:
    return [m for ms in error.errors.values() for m in ms] or [error.detail]


@login_required
def index(request):
    """The disputes of the user's grids, red first; the user's visits that found a problem and
    await a case; the user's unread notices."""
    status = request.GET.get("status", "")
    risk = request.GET.get("risk", "")
    status = status if status in Status.values else ""
    risk = risk if risk in Risk.values else ""
    cases = (
        selectors.case_list(user=request.user, status=status, risk=risk, open_only=not status)
        .prefetch_related("parties__resident")
        .order_by("light_rank", "due_at", "-id")[:100]
    )
    return render(
        request,
        "mediation/index.html",
        {
            "cases": cases,
            "status": status,
            "risk": risk,
            "statuses": Status.choices,
            "risks": Risk.choices,
            "visits": selectors.visits_to_register(user=request.user),
            "notices": selectors.notice_list(user=request.user, unread_only=True)[:20],
            "section": "cases",
        },
    )


def party_inputs(request, residents: dict[int, Resident]) -> list[services.PartyInput]:
    parties = []
    for pk in request.POST.getlist("resident"):
        resident = residents.get(_int(pk) or 0)
        if resident is None:
            raise InvalidInput.field("parties", _("Unknown resident, or outside your scope."))
        role = request.POST.get(f"role_{resident.pk}", PartyRole.APPLICANT)
        parties.append(services.PartyInput(role=role, resident=resident))
    for i in range(OTHER_PARTY_ROWS):
        name = request.POST.get(f"other_name_{i}", "").strip()
        phone = request.POST.get(f"other_phone_{i}", "").strip()
        if name or phone:
            role = request.POST.get(f"other_role_{i}", PartyRole.RESPONDENT)
            parties.append(services.PartyInput(role=role, name=name, phone=phone))
    return parties


@login_required
def new(request):
    """Register a dispute: from a visit (?visit=), or a hotline call or a walk-in in a grid."""
    visit = None
    if request.GET.get("visit") or request.POST.get("visit"):
        pk = _int(request.GET.get("visit") or request.POST.get("visit"))
        if pk is None:
            raise Http404
        visit = selectors.visit_get(user=request.user, pk=pk)
    grids = list(selectors.grid_list(user=request.user)) if visit is None else []
    residents = {r.pk: r for r in visit.household.residents.all()} if visit is not None else {}
    problems, values = [], request.POST
    if request.method == "POST":
        try:
            grid = None
            if visit is None:
                grid = next((g for g in grids if g.pk == _int(request.POST.get("grid"))), None)
                if grid is None:
                    raise InvalidInput.field("grid", _("Choose the grid of the dispute."))
            case = services.case_register(
                actor=request.user,
                source=Source.VISIT if visit is not None else request.POST.get("source", ""),
                kind=request.POST.get("kind", ""),
                description=request.POST.get("description", ""),
                grid=grid,
                visit=visit,
                parties=party_inputs(request, residents),
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
            "visit": visit,
            "grids": grids,
            "residents": list(residents.values()),
            "kinds": Kind.choices,
            "roles": PartyRole.choices,
            "sources": [(Source.HOTLINE, Source.HOTLINE.label), (Source.WALK_IN, Source.WALK_IN.label)],
            "other_rows": range(OTHER_PARTY_ROWS),
            "problems": problems,
            "values": values,
            "description": values.get("description") or (visit.problem_description if visit else ""),
            "section": "new",
        },
        status=400 if problems else 200,
    )


@login_required
def detail(request, pk: int):
    case = selectors.case_get(user=request.user, pk=pk)
    agreements = list(case.agreements.all())
    agreement = agreements[-1] if agreements else None
    today = timezone.localdate()
    return render(
        request,
        "mediation/detail.html",
        {
            "case": case,
            "agreement": agreement,
            "follow_up_open": agreement is not None and today >= agreement.follow_up_from,
            "risks": Risk.choices,
            "mediator_kinds": MediatorKind.choices,
            "referrals": ReferredTo.choices,
            "default_follow_up": clock.DEFAULT_FOLLOW_UP_DAYS,
            "today": today,
            "section": "cases",
        },
    )


def _date(value, field: str) -> datetime.date | None:
    if not value:
        return None
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise InvalidInput.field(field, _("Enter a date.")) from None


@login_required
@require_POST
def act(request, pk: int, verb: str):
    """One form per step; the service decides, errors come back into the page."""
    case = selectors.case_get(user=request.user, pk=pk)
    post, user = request.POST, request.user
    try:
        if verb == "grade":
            services.case_grade(
                actor=user, case=case, risk=post.get("risk", ""), reasons=post.get("reasons", "")
            )
        elif verb == "session":
            mediators = [
                {"kind": kind, "name": name}
                for kind, name in zip(
                    post.getlist("mediator_kind"), post.getlist("mediator_name"), strict=False
                )
                if name.strip()
            ]
            services.session_record(
                actor=user,
                case=case,
                mediators=mediators,
                summary=post.get("summary", ""),
                place=post.get("place", ""),
            )
        elif verb == "agreement":
            days = _int(post.get("follow_up_days"))
            if days is None:
                raise InvalidInput.field(
                    "follow_up_days", _("Follow up between 1 and 365 days after signing.")
                )
            services.agreement_record(
                actor=user,
                case=case,
                terms=post.get("terms", ""),
                signatures=post.get("signatures", ""),
                signed_on=_date(post.get("signed_on"), "signed_on"),
                follow_up_days=days,
            )
        elif verb == "refer":
            services.case_refer(actor=user, case=case, to=post.get("to", ""), reason=post.get("reason", ""))
        elif verb == "follow-up":
            if post.get("holds") not in ("1", "0"):
                raise InvalidInput.field("holds", _("Say whether the agreement holds."))
            services.follow_up_record(
                actor=user, case=case, holds=post["holds"] == "1", notes=post.get("notes", "")
            )
        else:
            raise Http404
    except NotFound:
        raise Http404 from None
    except DomainError as error:
        for problem in problems_of(error):
            messages.error(request, problem)
        return redirect("mediation:detail", pk=pk)
    messages.success(request, _("Done."))
    return redirect("mediation:detail", pk=pk)


@login_required
@require_POST
def reveal(request, pk: int, party: int):
    """A party's name and phone, unmasked for this page only; the access log has a row."""
    case = selectors.case_get(user=request.user, pk=pk)
    found = next((p for p in case.parties.all() if p.pk == party), None)
    if found is None:
        raise Http404
    try:
        revealed = services.party_reveal(actor=request.user, party=found, request=request)
    except NotFound:
        raise Http404 from None
    except DomainError as error:
        return render(request, "mediation/_errors.html", {"problems": problems_of(error)})
    return render(request, "mediation/_revealed.html", {"revealed": revealed, "party": found})


@login_required
def reports(request):
    """This month's 排查 of the user's grids: who has reported, who is late; a form per grid."""
    today = timezone.localdate()
    this_month = clock.month_of(today)
    month = this_month
    if request.GET.get("month") == "previous":
        month = clock.previous_month(this_month)
    if request.method == "POST":
        month = clock.previous_month(this_month) if request.POST.get("month") == "previous" else this_month
        grid = selectors.grid_list(user=request.user).filter(pk=_int(request.POST.get("grid"))).first()
        try:
            if grid is None:
                raise InvalidInput.field("grid", _("Unknown grid, or outside your scope."))
            services.report_submit(
                actor=request.user,
                grid=grid,
                month=month,
                zero=request.POST.get("zero") == "1",
                note=request.POST.get("note", ""),
            )
        except NotFound:  # outside the actor's grids: the page's 404, never a form error
            raise Http404 from None
        except DomainError as error:
            for problem in problems_of(error):
                messages.error(request, problem)
        else:
            messages.success(request, _("The report of %(grid)s is sent.") % {"grid": grid.name})
        suffix = "?month=previous" if month != this_month else ""
        return redirect(f"{request.path}{suffix}")
    rows = selectors.report_rows(user=request.user, month=month)
    return render(
        request,
        "mediation/reports.html",
        {
            "rows": rows,
            "month": month,
            "previous": month != this_month,
            "due": clock.report_due(month) - datetime.timedelta(seconds=1),
            "section": "reports",
        },
    )


@login_required
@require_POST
def notices_read(request):
    services.notice_mark_read(actor=request.user)
    return redirect("mediation:index")
