"""The assessment schemes' settings pages: grade and star thresholds, the bonus rule, the
appeal window, edited through services.scheme_save (every save is a new version; a period
copies its scheme when it opens, so the change applies to periods opened from now on).

Assessors and administrators (evaluation.policy) edit; officials read.
"""

from decimal import Decimal

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from evaluation import services
from evaluation.models import GRADE_ORDER, Grade, HeadMode, PeriodStatus, Scheme
from evaluation.policy import is_assessor
from grids import access
from hlgrid.errors import DomainError
from hlgrid.forms import add_domain_error

STARS = (5, 4, 3, 2)


def _points(label):
    return forms.DecimalField(label=label, max_digits=5, decimal_places=2, min_value=0, max_value=100)


class SchemeForm(forms.Form):
    excellent_min = _points(gettext_lazy("excellent from (points)"))
    good_min = _points(gettext_lazy("good from (points)"))
    pass_min = _points(gettext_lazy("pass from (points)"))
    star_5 = _points(gettext_lazy("5 stars from (points)"))
    star_4 = _points(gettext_lazy("4 stars from (points)"))
    star_3 = _points(gettext_lazy("3 stars from (points)"))
    star_2 = _points(gettext_lazy("2 stars from (points)"))
    worker_base = forms.DecimalField(
        label=gettext_lazy("worker bonus base (yuan)"), max_digits=10, decimal_places=2, min_value=0
    )
    coefficient_EXCELLENT = forms.DecimalField(
        label=Grade.EXCELLENT.label, max_digits=4, decimal_places=2, min_value=0
    )
    coefficient_GOOD = forms.DecimalField(label=Grade.GOOD.label, max_digits=4, decimal_places=2, min_value=0)
    coefficient_PASS = forms.DecimalField(label=Grade.PASS.label, max_digits=4, decimal_places=2, min_value=0)
    coefficient_FAIL = forms.DecimalField(label=Grade.FAIL.label, max_digits=4, decimal_places=2, min_value=0)
    head_base = forms.DecimalField(
        label=gettext_lazy("grid head bonus base (yuan)"), max_digits=10, decimal_places=2, min_value=0
    )
    head_mode = forms.ChoiceField(label=gettext_lazy("grid head bonus"), choices=HeadMode.choices)
    min_tenure_percent = forms.IntegerField(
        label=gettext_lazy("minimum share of the period in post (%)"), min_value=0, max_value=100
    )
    appeal_days = forms.IntegerField(label=gettext_lazy("appeal window (days)"), min_value=1, max_value=60)

    @classmethod
    def initial_for(cls, scheme: Scheme) -> dict:
        initial = {
            name: getattr(scheme, name)
            for name in (
                "excellent_min",
                "good_min",
                "pass_min",
                "worker_base",
                "head_base",
                "head_mode",
                "min_tenure_percent",
                "appeal_days",
            )
        }
        for stars, value in zip(STARS, scheme.star_thresholds or [], strict=False):
            initial[f"star_{stars}"] = Decimal(str(value))
        for grade in GRADE_ORDER:
            initial[f"coefficient_{grade}"] = Decimal(str((scheme.coefficients or {}).get(grade, "0")))
        return initial


# The form's fields whose errors the service reports under another name.
FIELD_OF_ERROR = {"star_thresholds": "star_5", "coefficients": "coefficient_EXCELLENT"}


def _viewer(request) -> bool:
    editor = is_assessor(request.user)
    if not (editor or access.may_view_configuration(request.user)):
        raise Http404()
    return editor


def _schemes(user):
    return (
        access.scope_to_cities(user, Scheme.objects.all())
        .annotate(
            opened=Count("periods", filter=~Q(periods__status=PeriodStatus.DRAFT), distinct=True),
            indicator_count=Count("indicators", distinct=True),
        )
        .order_by("name")
    )


@login_required
def scheme_list(request):
    may_change = _viewer(request)
    return render(
        request,
        "evaluation/settings_schemes.html",
        {"schemes": _schemes(request.user), "may_change": may_change},
    )


@login_required
def scheme_edit(request, pk: int):
    may_change = _viewer(request)
    scheme = get_object_or_404(_schemes(request.user), pk=pk)
    form = SchemeForm(request.POST or None, initial=SchemeForm.initial_for(scheme))
    if request.method == "POST":
        if not may_change:
            raise PermissionDenied()
        if form.is_valid():
            data = form.cleaned_data
            try:
                saved = services.scheme_save(
                    actor=request.user,
                    city=scheme.city,
                    name=scheme.name,
                    indicators=services.scheme_specs(scheme),
                    excellent_min=data["excellent_min"],
                    good_min=data["good_min"],
                    pass_min=data["pass_min"],
                    star_thresholds=[data[f"star_{stars}"] for stars in STARS],
                    worker_base=data["worker_base"],
                    coefficients={grade: data[f"coefficient_{grade}"] for grade in GRADE_ORDER},
                    head_base=data["head_base"],
                    head_mode=data["head_mode"],
                    min_tenure_percent=data["min_tenure_percent"],
                    appeal_days=data["appeal_days"],
                )
            except DomainError as error:
                error.errors = {FIELD_OF_ERROR.get(k, k): v for k, v in error.errors.items()}
                add_domain_error(form, error)
            else:
                messages.success(
                    request,
                    _(
                        "The scheme %(name)s was saved as version %(version)d. It applies to periods "
                        "opened from now on; the %(n)d periods opened already keep the copy they took."
                    )
                    % {"name": saved.name, "version": saved.version, "n": scheme.opened},
                )
                return redirect("evaluation:settings_schemes")
    indicators = scheme.indicators.order_by("order", "id")
    return render(
        request,
        "evaluation/settings_scheme.html",
        {"scheme": scheme, "form": form, "may_change": may_change, "indicators": indicators},
    )
