"""HTML pages: assessors (periods, inspections on a phone, compute / review / publish),
workers (own results, appeals), heads (their workers' results), the public star board,
and the reports with their Excel exports. Thin: services and selectors do the work."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from evaluation import exports, selectors, services
from evaluation.forms import AppealForm, CloseEarlyForm, DecisionForm, InspectionForm, PeriodForm
from evaluation.models import AppealStatus, PeriodStatus, Scheme
from evaluation.policy import VIEWER_KINDS, assessed_cities, is_assessor
from grids import access
from hlgrid import media, xlsx
from hlgrid.errors import DomainError
from hlgrid.forms import add_domain_error
from hlgrid.ids import parse_id
from hlgrid.models import User

# At most this many workers are offered at once on the inspection form: a search narrows them.
INSPECT_CHOICES = 30


def _assessor_or_404(user) -> None:
    if not is_assessor(user):
        raise Http404


def _xlsx(content: bytes, filename: str) -> HttpResponse:
    return xlsx.response(content, filename)


@login_required
def index(request):
    if is_assessor(request.user):
        return redirect("evaluation:periods")
    if selectors.notices_for(user=request.user).exists() or access.holds(request.user, VIEWER_KINDS):
        return redirect("evaluation:team")
    return redirect("evaluation:mine")


@require_safe
def photo(request, pk: int):
    """Inspection evidence, only for whoever may see the inspection (anonymous and outsiders: 404)."""
    evidence = selectors.inspection_photo_get(user=request.user, pk=pk)
    return media.file_response(evidence.image)


# --- assessors --------------------------------------------------------------------------------
@login_required
def periods(request):
    _assessor_or_404(request.user)
    form = PeriodForm(request.POST or None)
    form.fields["scheme"].queryset = access.scope_to_cities(request.user, Scheme.objects.order_by("name"))
    assessed = assessed_cities(request.user)
    if len(assessed[:2]) > 1:  # one who assesses several cities says which the period is of
        form.fields["city"] = forms.ModelChoiceField(
            queryset=assessed,
            label=_("City"),
            required=False,
            widget=forms.Select(attrs={"class": "form-select"}),
        )
    if request.method == "POST" and form.is_valid():
        try:
            period = services.period_create(actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Period %(name)s created.") % {"name": period.name})
            return redirect("evaluation:period", pk=period.pk)
    context = {
        "periods": list(selectors.period_list(user=request.user)),
        "form": form,
        "running_total": selectors.running_total(user=request.user),
    }
    return render(request, "evaluation/periods.html", context)


@login_required
def period(request, pk: int):
    """The period's page; a POST is its "close early" form (a reason, errors on the field)."""
    _assessor_or_404(request.user)
    period = selectors.period_get(user=request.user, pk=pk)
    close_form = CloseEarlyForm(request.POST or None)
    if request.method == "POST" and close_form.is_valid():
        try:
            services.period_close_early(
                actor=request.user, period=period, reason=close_form.cleaned_data["reason"]
            )
        except DomainError as exc:
            add_domain_error(close_form, exc)
        else:
            messages.success(
                request, _("The period is closed early: compute the results again, then publish.")
            )
            return redirect("evaluation:period", pk=pk)
    preview = None
    ranking = []
    checks = {}
    if period.status in (PeriodStatus.COMPUTED, PeriodStatus.PUBLISHED):
        preview = selectors.period_preview(user=request.user, period=period)
        ranking = selectors.ranking(user=request.user, period=period)
    if period.status == PeriodStatus.COMPUTED:
        checks = {
            "uninspected": list(selectors.uninspected(user=request.user, period=period)),
            "change": selectors.change_against_previous(user=request.user, period=period),
        }
    context = {
        "period": period,
        "close_form": close_form,
        "over": services.period_over(period),
        "final": services.computed_as_final(period),
        "period_end": services.period_end(period),
        **checks,
        "indicators": list(period.indicators.all()),
        "rule": getattr(period, "bonus_rule", None) if period.status != PeriodStatus.DRAFT else None,
        "inspections": list(selectors.inspection_list(user=request.user, period=period)[:200]),
        "preview": preview,
        "ranking": ranking,
        "running_total": selectors.running_total(user=request.user),
    }
    return render(request, "evaluation/period.html", context)


@login_required
@require_POST
def period_action(request, pk: int, action: str):
    _assessor_or_404(request.user)
    period = selectors.period_get(user=request.user, pk=pk)
    act = {
        "open": services.period_open,
        "compute": services.period_compute,
        "publish": services.period_publish,
    }.get(action)
    if act is None:
        raise Http404
    try:
        act(actor=request.user, period=period)
    except DomainError as exc:
        messages.error(request, exc.detail)
    else:
        done = {
            "open": _("The period is open."),
            "compute": _("Results computed."),
            "publish": _("Published."),
        }
        messages.success(request, done[action])
    return redirect("evaluation:period", pk=pk)


@login_required
def inspect(request, pk: int):
    """Enter an inspection during a visit (phone-first)."""
    _assessor_or_404(request.user)
    period = selectors.period_get(user=request.user, pk=pk)
    q = request.GET.get("q", "").strip()
    scoped = selectors.workers_to_inspect(user=request.user)
    total = scoped.count()
    # Offer the search's matches (or everyone when the scope is small), and keep the worker
    # already chosen (a re-shown form, a link from a worker's page) whatever the search.
    matches = selectors.workers_to_inspect(user=request.user, q=q) if q else scoped
    found = matches.count() if q else total
    shown = list(matches[:INSPECT_CHOICES]) if (q or total <= INSPECT_CHOICES) else []
    chosen = parse_id(request.POST.get("worker") or request.GET.get("worker"))
    if chosen and chosen not in {post.user_id for post in shown}:
        shown += list(scoped.filter(user_id=chosen)[:1])
    form = InspectionForm(
        request.POST or None, request.FILES or None, workers=shown, initial={"worker": chosen or None}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        worker = get_object_or_404(User, pk=data["worker"])
        try:
            services.inspection_record(
                actor=request.user,
                period=period,
                worker=worker,
                method=data["method"],
                mode=data["mode"],
                score=data["score"],
                notes=data["notes"],
                photos=data["photos"],
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Inspection of %(name)s saved.") % {"name": worker.display_name})
            return redirect("evaluation:inspect", pk=pk)
    return render(
        request,
        "evaluation/inspect.html",
        {
            "period": period,
            "form": form,
            "q": q,
            "total": total,
            "found": found,
            "shown": len(shown),
        },
    )


@login_required
def appeals(request):
    _assessor_or_404(request.user)
    rows = list(selectors.appeal_list(user=request.user)[:200])
    return render(request, "evaluation/appeals.html", {"appeals": rows, "form": DecisionForm()})


@login_required
@require_POST
def appeal_decide(request, pk: int):
    _assessor_or_404(request.user)
    appeal = get_object_or_404(selectors.appeal_list(user=request.user), pk=pk)
    decision = request.POST.get("decision", "")
    try:
        if request.POST.get("verdict") == "accept":
            points = {
                key.removeprefix("points_"): value
                for key, value in request.POST.items()
                if key.startswith("points_") and value.strip()
            }
            services.appeal_accept(actor=request.user, appeal=appeal, points=points, decision=decision)
            messages.success(request, _("Appeal accepted: a corrected result replaces the original."))
        else:
            services.appeal_reject(actor=request.user, appeal=appeal, decision=decision)
            messages.success(request, _("Appeal rejected."))
    except DomainError as exc:
        messages.error(request, exc.detail)
    return redirect("evaluation:assessment", pk=appeal.assessment_id)


# --- results ----------------------------------------------------------------------------------
@login_required
def assessment(request, pk: int):
    found = selectors.assessment_get(user=request.user, pk=pk)
    period = found.period
    own = found.worker_id == request.user.pk
    deadline = services.appeal_deadline(period)
    can_appeal = (
        own
        and found.is_current
        and period.status == PeriodStatus.PUBLISHED
        and deadline is not None
        and timezone.now() <= deadline
        and not any(a.status == AppealStatus.PENDING for a in found.appeals.all())
    )
    form = AppealForm(request.POST or None)
    if request.method == "POST" and can_appeal and form.is_valid():
        try:
            services.appeal_submit(actor=request.user, assessment=found, reason=form.cleaned_data["reason"])
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Your appeal has been sent to the assessors."))
            return redirect("evaluation:assessment", pk=pk)
    context = {
        "a": found,
        "lines": list(found.lines.all()),
        "history": list(selectors.assessment_history(user=request.user, assessment=found)),
        "appeals": list(found.appeals.all()),
        "can_appeal": can_appeal,
        "deadline": deadline,
        "form": form,
        "is_assessor": is_assessor(request.user),
        "decision_form": DecisionForm(),
    }
    return render(request, "evaluation/assessment.html", context)


@login_required
def line_evidence(request, pk: int, code: str):
    found = selectors.assessment_get(user=request.user, pk=pk)
    line = next((ln for ln in found.lines.all() if ln.indicator.code == code), None)
    if line is None:
        raise Http404
    evidence = selectors.line_evidence(assessment=found, indicator=line.indicator)
    return render(request, "evaluation/evidence.html", {"a": found, "line": line, "evidence": evidence})


@login_required
def mine(request):
    """A worker's own published results and the open inspections of running periods."""
    rows = list(
        selectors.assessment_list(user=request.user)
        .filter(worker_id=request.user.pk)
        .order_by("-period__starts_on")
    )
    inspections = list(selectors.inspection_list(user=request.user).filter(worker_id=request.user.pk)[:50])
    return render(request, "evaluation/mine.html", {"rows": rows, "inspections": inspections})


@login_required
def team(request):
    """Heads and officials: their workers' published results, period by period."""
    period = _chosen_period(request, request.user)
    rows = selectors.ranking(user=request.user, period=period) if period else []
    rows = [a for a in rows if a.worker_id != request.user.pk]
    context = {
        "period": period,
        "published": list(selectors.period_list(user=request.user).filter(status=PeriodStatus.PUBLISHED)),
        "rows": rows,
        "notices": list(selectors.notices_for(user=request.user)[:10]),
    }
    return render(request, "evaluation/team.html", context)


def _chosen_period(request, user):
    """The period asked for (`?period=`), else the latest published one of `?city=` (of the
    user's cities; of any city on the public board, `user` None)."""
    value = request.GET.get("period", "")
    if value.isdigit():
        return selectors.period_get(user=user, pk=int(value))
    city = request.GET.get("city", "")
    return selectors.latest_published(user=user, city=int(city) if city.isdigit() else None)


def stars(request):
    """评星公示: public, no account needed; each city's board apart."""
    period = _chosen_period(request, None)
    rows = list(selectors.star_board(period=period)) if period else []
    published = selectors.period_list(user=None).filter(status=PeriodStatus.PUBLISHED)
    if period is not None:
        published = published.filter(city=period.city_id)
    context = {
        "period": period,
        "rows": rows,
        "published": list(published[:20]),
        "cities": selectors.star_cities(),
    }
    return render(request, "evaluation/stars.html", context)


# --- reports ----------------------------------------------------------------------------------
def _report_period(request, pk):
    period = selectors.period_get(user=request.user, pk=pk)
    if period.status == PeriodStatus.DRAFT:
        raise Http404
    return period


@login_required
def report(request, pk: int):
    period = _report_period(request, pk)
    ranking = selectors.ranking(user=request.user, period=period)
    streets = selectors.bonus_by_street(user=request.user, period=period)
    context = {
        "period": period,
        "ranking": ranking,
        "grades": selectors.grade_distribution(user=request.user, period=period),
        "streets": streets,
        "ranking_bonus_total": sum((a.bonus for a in ranking), start=0),
        "street_totals": {
            "workers": sum((s["workers"] for s in streets), start=0),
            "heads": sum((s["heads"] for s in streets), start=0),
            "total": sum((s["total"] for s in streets), start=0),
        },
    }
    return render(request, "evaluation/report.html", context)


@login_required
def report_xlsx(request, pk: int):
    period = _report_period(request, pk)
    return _xlsx(exports.period_workbook(user=request.user, period=period), f"evaluation-{period.pk}.xlsx")


@login_required
def trends(request):
    shares = selectors.excellent_share_over_periods(user=request.user)
    return render(
        request,
        "evaluation/trends.html",
        {"shares": shares, "running_total": selectors.running_total(user=request.user)},
    )


@login_required
def trends_xlsx(request):
    return _xlsx(exports.trends_workbook(user=request.user), "evaluation-trends.xlsx")


@login_required
def worker_trend(request, user_id: int):
    rows = selectors.worker_trend(user=request.user, worker_id=user_id)
    if not rows:
        raise Http404
    worker = rows[0].worker
    if request.GET.get("format") == "xlsx":
        return _xlsx(
            exports.worker_workbook(user=request.user, worker=worker, rows=rows), f"worker-{user_id}.xlsx"
        )
    return render(request, "evaluation/worker_trend.html", {"worker": worker, "rows": rows})
