"""Schemes: the editable template (indicators, grade and star thresholds, bonus rule) a
period copies when it opens. Every save validates the whole scheme and is a new version."""

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils.translation import gettext as _

from evaluation import rules
from evaluation.models import (
    GRADE_ORDER,
    Grade,
    HeadMode,
    Method,
    Rule,
    Scheme,
    SchemeIndicator,
    Source,
    to_fen,
)
from evaluation.policy import assessor_city
from hlgrid.errors import InvalidInput

HUNDRED = Decimal(100)


@dataclass
class IndicatorSpec:
    code: str
    name: str
    source: str
    weight: Decimal
    rule: str
    params: dict
    method: str = ""


def _clean_thresholds(excellent, good, passing) -> tuple[Decimal, Decimal, Decimal]:
    try:
        excellent, good, passing = (Decimal(str(v)) for v in (excellent, good, passing))
    except InvalidOperation:
        raise InvalidInput.field("excellent_min", _("Grade thresholds are numbers of points.")) from None
    if not (HUNDRED >= excellent > good > passing >= 0):
        raise InvalidInput.field(
            "excellent_min", _("Grade thresholds must satisfy 100 ≥ excellent > good > pass ≥ 0.")
        )
    return excellent, good, passing


def _clean_stars(stars) -> list[str]:
    if not isinstance(stars, list) or len(stars) != 4:
        raise InvalidInput.field("star_thresholds", _("Give four thresholds: for 5, 4, 3 and 2 stars."))
    try:
        values = [Decimal(str(v)) for v in stars]
    except InvalidOperation:
        raise InvalidInput.field("star_thresholds", _("Star thresholds are numbers of points.")) from None
    if values != sorted(values, reverse=True) or len(set(values)) != 4:
        raise InvalidInput.field(
            "star_thresholds", _("Star thresholds must fall strictly from 5 stars to 2.")
        )
    return [str(v) for v in values]


def _clean_coefficients(coefficients) -> dict[str, str]:
    if not isinstance(coefficients, dict):
        raise InvalidInput.field("coefficients", _("Give a coefficient for every grade."))
    clean = {}
    for grade in GRADE_ORDER:
        try:
            value = Decimal(str(coefficients.get(grade, "")))
        except InvalidOperation:
            raise InvalidInput.field(
                "coefficients", _("Give a coefficient for %(grade)s.") % {"grade": Grade(grade).label}
            ) from None
        if value < 0:
            raise InvalidInput.field("coefficients", _("A coefficient cannot be negative."))
        clean[grade] = str(value)
    return clean


def clean_indicators(specs: list[IndicatorSpec]) -> list[IndicatorSpec]:
    """Every indicator valid and the weights adding up to 100 (also checked again on opening)."""
    if not specs:
        raise InvalidInput.field("indicators", _("A scheme needs at least one indicator."))
    codes = set()
    total = Decimal(0)
    clean = []
    for spec in specs:
        if spec.source not in Source.values:
            raise InvalidInput.field("indicators", _("Unknown source %(source)s.") % {"source": spec.source})
        if spec.rule not in Rule.values:
            raise InvalidInput.field("indicators", _("Unknown rule %(rule)s.") % {"rule": spec.rule})
        if spec.method and (spec.source != Source.INSPECTION or spec.method not in Method.values):
            raise InvalidInput.field("indicators", _("Only an inspection indicator has a method."))
        if spec.code in codes:
            raise InvalidInput.field(
                "indicators", _("The code %(code)s is used twice.") % {"code": spec.code}
            )
        codes.add(spec.code)
        weight = Decimal(str(spec.weight))
        if weight <= 0:
            raise InvalidInput.field("indicators", _("Every weight must be positive."))
        total += weight
        params = rules.validate_params(rule=spec.rule, params=spec.params, weight=weight, field="indicators")
        clean.append(IndicatorSpec(spec.code, spec.name, spec.source, weight, spec.rule, params, spec.method))
    if total != HUNDRED:
        raise InvalidInput.field(
            "indicators", _("The weights add up to %(total)s; they must add up to 100.") % {"total": total}
        )
    return clean


def scheme_save(
    *,
    actor,
    name: str,
    indicators: list[IndicatorSpec],
    excellent_min=90,
    good_min=80,
    pass_min=60,
    star_thresholds=None,
    worker_base=80,
    coefficients: dict | None = None,
    head_base=60,
    head_mode: str = HeadMode.AVERAGE_COEFFICIENT,
    min_tenure_percent: int = 50,
    appeal_days: int = 7,
    city=None,
) -> Scheme:
    """Create a scheme of `city` (the one city the actor assesses when not given) or replace
    its contents; every save is a new version. Periods already opened keep the copy they took."""
    city = assessor_city(actor, city)
    name = (name or "").strip()
    if not name:
        raise InvalidInput.field("name", _("A name is required."))
    excellent, good, passing = _clean_thresholds(excellent_min, good_min, pass_min)
    stars = _clean_stars(star_thresholds if star_thresholds is not None else [95, 85, 75, 60])
    coefficients = _clean_coefficients(
        coefficients or {"EXCELLENT": "1.2", "GOOD": "1.0", "PASS": "0.6", "FAIL": "0"}
    )
    if head_mode not in HeadMode.values:
        raise InvalidInput.field("head_mode", _("Unknown way of linking the grid head's bonus."))
    try:
        worker_base, head_base = to_fen(Decimal(str(worker_base))), to_fen(Decimal(str(head_base)))
    except InvalidOperation:
        raise InvalidInput.field("worker_base", _("A bonus base is an amount in yuan.")) from None
    if worker_base < 0 or head_base < 0:
        raise InvalidInput.field("worker_base", _("A bonus base cannot be negative."))
    if not 0 <= int(min_tenure_percent) <= 100:
        raise InvalidInput.field("min_tenure_percent", _("A share of the period lies between 0 and 100."))
    specs = clean_indicators(indicators)
    with transaction.atomic():
        scheme = Scheme.objects.select_for_update().filter(city=city, name=name).first()
        if scheme is None:
            scheme = Scheme(city=city, name=name, version=1)
        else:
            scheme.version += 1
        scheme.excellent_min, scheme.good_min, scheme.pass_min = excellent, good, passing
        scheme.star_thresholds = stars
        scheme.worker_base, scheme.head_base, scheme.head_mode = worker_base, head_base, head_mode
        scheme.coefficients = coefficients
        scheme.min_tenure_percent, scheme.appeal_days = int(min_tenure_percent), int(appeal_days)
        scheme.save()
        scheme.indicators.all().delete()
        SchemeIndicator.objects.bulk_create(
            [
                SchemeIndicator(
                    scheme=scheme,
                    code=s.code,
                    name=s.name,
                    source=s.source,
                    method=s.method,
                    weight=s.weight,
                    rule=s.rule,
                    params=s.params,
                    order=i,
                )
                for i, s in enumerate(specs)
            ]
        )
    return scheme


def scheme_specs(scheme: Scheme) -> list[IndicatorSpec]:
    return [
        IndicatorSpec(i.code, i.name, i.source, i.weight, i.rule, i.params, i.method)
        for i in scheme.indicators.order_by("order", "id")
    ]


def scheme_bump(*, actor, scheme: Scheme) -> Scheme:
    """After an edit made elsewhere (the admin): validate and record a new version."""
    return scheme_save(
        actor=actor,
        city=scheme.city,
        name=scheme.name,
        indicators=scheme_specs(scheme),
        excellent_min=scheme.excellent_min,
        good_min=scheme.good_min,
        pass_min=scheme.pass_min,
        star_thresholds=scheme.star_thresholds,
        worker_base=scheme.worker_base,
        coefficients=scheme.coefficients,
        head_base=scheme.head_base,
        head_mode=scheme.head_mode,
        min_tenure_percent=scheme.min_tenure_percent,
        appeal_days=scheme.appeal_days,
    )


DEFAULT_INDICATORS = [
    IndicatorSpec(
        "on_time", "诉求按时办结率", Source.ON_TIME, Decimal(20), Rule.LINEAR, {"low": 60, "high": 100}
    ),
    IndicatorSpec(
        "satisfaction", "回访满意率", Source.SATISFACTION, Decimal(15), Rule.LINEAR, {"low": 60, "high": 100}
    ),
    IndicatorSpec("rework", "返工率", Source.REWORK, Decimal(10), Rule.LINEAR, {"low": 20, "high": 0}),
    IndicatorSpec("overdue", "超时扣分", Source.OVERDUE, Decimal(10), Rule.PENALTY, {"per_item": 2}),
    IndicatorSpec(
        "coverage",
        "入户走访覆盖率",
        Source.HOUSEHOLD_COVERAGE,
        Decimal(15),
        Rule.LINEAR,
        {"low": 50, "high": 100},
    ),
    IndicatorSpec(
        "key_visits",
        "重点人群按期走访率",
        Source.KEY_VISITS,
        Decimal(10),
        Rule.THRESHOLDS,
        {"steps": [[95, 10], [85, 8], [70, 5], [50, 2]]},
    ),
    IndicatorSpec(
        "inspection",
        "明察暗访(听评看议)",
        Source.INSPECTION,
        Decimal(20),
        Rule.LINEAR,
        {"low": 0, "high": 100},
    ),
]


def scheme_default(*, actor, city=None) -> Scheme:
    """The city's standard scheme (created on first use, by the actor who first needs it)."""
    city = assessor_city(actor, city)
    scheme = Scheme.objects.filter(city=city, name="网格员绩效考核").first()
    return scheme or scheme_save(actor=actor, city=city, name="网格员绩效考核", indicators=DEFAULT_INDICATORS)
