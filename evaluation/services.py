"""Everything that changes assessment data: schemes, periods, inspections, computing,
publishing (the bonus ledger and notices) and appeals.

Each function checks the actor, runs in one transaction and locks the period row
(select_for_update) before changing what hangs off it, so two assessors computing or
publishing at once serialise instead of writing two results or paying twice.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import TransitionNotAllowed as FSMTransitionNotAllowed

from evaluation import indicators as auto
from evaluation import rules
from evaluation.models import (
    GRADE_ORDER,
    Appeal,
    AppealStatus,
    Assessment,
    AssessmentLine,
    BonusPayment,
    BonusRule,
    Grade,
    HeadBonus,
    HeadMode,
    Indicator,
    Inspection,
    InspectionPhoto,
    Method,
    Mode,
    Notice,
    PaymentKind,
    Period,
    PeriodKind,
    PeriodStatus,
    Role,
    Rule,
    Scheme,
    SchemeIndicator,
    Source,
    to_fen,
    to_points,
)
from grids.models import GridNode, NodeKind, Post, PostKind
from hlgrid.errors import Forbidden, InvalidInput, NotFound, TransitionNotAllowed

HUNDRED = Decimal(100)
ASSESSOR_KINDS = [PostKind.ASSESSOR, PostKind.ADMIN]


# --- who may act ------------------------------------------------------------------------------
def is_assessor(user) -> bool:
    if user is None or not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return Post.objects.filter(user_id=user.pk, is_active=True, kind__in=ASSESSOR_KINDS).exists()


def _require_assessor(actor) -> None:
    if not is_assessor(actor):
        raise Forbidden(_("Only the organisation department's assessors may do this."))


def _covers(actor, node: GridNode) -> bool:
    """Whether one of the actor's assessor posts covers `node` (superusers cover everything)."""
    if actor.is_superuser:
        return True
    return Post.objects.filter(
        user_id=actor.pk,
        is_active=True,
        kind__in=ASSESSOR_KINDS,
        node__tree_id=node.tree_id,
        node__lft__lte=node.lft,
        node__rght__gte=node.rght,
    ).exists()


def _lock(period: Period | int) -> Period:
    pk = period.pk if isinstance(period, Period) else period
    try:
        return Period.objects.select_for_update().get(pk=pk)
    except Period.DoesNotExist:
        raise NotFound() from None


def _fire(period: Period, transition: str) -> None:
    try:
        getattr(period, transition)()
    except FSMTransitionNotAllowed:
        messages = {
            "open": _("Only a draft period can be opened; this one is %(status)s."),
            "compute": _("Only an open or computed period can be computed; this one is %(status)s."),
            "publish": _("Only a computed period can be published; this one is %(status)s."),
        }
        raise TransitionNotAllowed(
            messages[transition] % {"status": PeriodStatus(period.status).label}
        ) from None


def _require_changeable(period: Period) -> None:
    if period.status == PeriodStatus.PUBLISHED:
        raise TransitionNotAllowed(_("This period is published and locked; nothing in it can change."))


# --- schemes ----------------------------------------------------------------------------------
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


def _clean_indicators(specs: list[IndicatorSpec]) -> list[IndicatorSpec]:
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
) -> Scheme:
    """Create a scheme or replace its contents; every save is a new version. Periods
    already opened keep the copy they took."""
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
    specs = _clean_indicators(indicators)
    with transaction.atomic():
        scheme = Scheme.objects.select_for_update().filter(name=name).first()
        if scheme is None:
            scheme = Scheme(name=name, version=1)
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


def scheme_bump(*, scheme: Scheme) -> Scheme:
    """After an edit made elsewhere (the admin): validate and record a new version."""
    return scheme_save(
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


def scheme_default() -> Scheme:
    """The standard scheme (created on first use)."""
    scheme = Scheme.objects.filter(name="网格员绩效考核").first()
    return scheme or scheme_save(name="网格员绩效考核", indicators=DEFAULT_INDICATORS)


# --- periods ----------------------------------------------------------------------------------
def period_create(
    *,
    actor,
    name: str,
    starts_on: date,
    ends_on: date,
    kind: str = PeriodKind.QUARTER,
    scheme: Scheme | None = None,
) -> Period:
    _require_assessor(actor)
    name = (name or "").strip()
    if not name:
        raise InvalidInput.field("name", _("A name is required."))
    if kind not in PeriodKind.values:
        raise InvalidInput.field("kind", _("Unknown kind of period."))
    if not starts_on or not ends_on or ends_on < starts_on:
        raise InvalidInput.field("ends_on", _("A period ends on or after the day it starts."))
    if Period.objects.filter(name=name).exists():
        raise InvalidInput.field("name", _("The name %(name)s is already used.") % {"name": name})
    try:
        return Period.objects.create(
            name=name, kind=kind, starts_on=starts_on, ends_on=ends_on, scheme=scheme or scheme_default()
        )
    except IntegrityError:
        raise InvalidInput.field("name", _("The name %(name)s is already used.") % {"name": name}) from None


def period_update(
    *,
    actor,
    period: Period,
    name: str | None = None,
    starts_on=None,
    ends_on=None,
    scheme: Scheme | None = None,
) -> Period:
    """Only a draft may be edited: once open, its dates and scheme are part of the results."""
    _require_assessor(actor)
    with transaction.atomic():
        period = _lock(period)
        _require_changeable(period)
        if period.status != PeriodStatus.DRAFT:
            raise TransitionNotAllowed(_("Only a draft period can be edited."))
        if name is not None:
            if not name.strip():
                raise InvalidInput.field("name", _("A name is required."))
            if Period.objects.filter(name=name.strip()).exclude(pk=period.pk).exists():
                raise InvalidInput.field("name", _("The name %(name)s is already used.") % {"name": name})
            period.name = name.strip()
        period.starts_on = starts_on or period.starts_on
        period.ends_on = ends_on or period.ends_on
        if period.ends_on < period.starts_on:
            raise InvalidInput.field("ends_on", _("A period ends on or after the day it starts."))
        if scheme is not None:
            period.scheme = scheme
        period.save(update_fields=["name", "starts_on", "ends_on", "scheme"])
    return period


def period_open(*, actor, period: Period, now: datetime | None = None) -> Period:
    """Open for inspections; freeze the scheme's indicators, thresholds and bonus rule."""
    _require_assessor(actor)
    now = now or timezone.now()
    with transaction.atomic():
        period = _lock(period)
        _require_changeable(period)
        _fire(period, "open")
        scheme = Scheme.objects.select_for_update().get(pk=period.scheme_id)
        specs = _clean_indicators(scheme_specs(scheme))
        Indicator.objects.bulk_create(
            [
                Indicator(
                    period=period,
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
        BonusRule.objects.create(
            period=period,
            worker_base=scheme.worker_base,
            coefficients=scheme.coefficients,
            head_base=scheme.head_base,
            head_mode=scheme.head_mode,
        )
        period.scheme_version = scheme.version
        period.excellent_min, period.good_min, period.pass_min = (
            scheme.excellent_min,
            scheme.good_min,
            scheme.pass_min,
        )
        period.star_thresholds = list(scheme.star_thresholds)
        period.min_tenure_percent, period.appeal_days = scheme.min_tenure_percent, scheme.appeal_days
        period.opened_at = now
        period.save()
    return period


# --- inspections ------------------------------------------------------------------------------
def _worker_grid(worker) -> GridNode:
    post = (
        Post.objects.filter(user_id=worker.pk, kind=PostKind.WORKER, is_active=True, node__kind=NodeKind.GRID)
        .select_related("node")
        .order_by("id")
        .first()
    )
    if post is None:
        raise InvalidInput.field("worker", _("This person is not an active grid worker."))
    return post.node


def inspection_record(
    *,
    actor,
    period: Period,
    worker,
    method: str,
    score,
    mode: str = Mode.OPEN,
    notes: str = "",
    photos=(),
    inspected_at: datetime | None = None,
) -> Inspection:
    _require_assessor(actor)
    if method not in Method.values:
        raise InvalidInput.field("method", _("Choose one of 听, 评, 看, 议."))
    if mode not in Mode.values:
        raise InvalidInput.field("mode", _("Choose open (明察) or covert (暗访)."))
    try:
        score = to_points(Decimal(str(score)))
    except (InvalidOperation, TypeError):
        raise InvalidInput.field("score", _("A score is a number from 0 to 100.")) from None
    if not 0 <= score <= HUNDRED:
        raise InvalidInput.field("score", _("A score is a number from 0 to 100."))
    photos = list(photos or [])
    if len(photos) > 6:
        raise InvalidInput.field("photos", _("At most six photos."))
    grid = _worker_grid(worker)
    if not _covers(actor, grid):
        raise NotFound()
    with transaction.atomic():
        period = _lock(period)
        _require_changeable(period)
        if period.status not in (PeriodStatus.OPEN, PeriodStatus.COMPUTED):
            raise TransitionNotAllowed(_("Inspections are entered while the period is open."))
        inspection = Inspection.objects.create(
            period=period,
            worker=worker,
            grid=grid,
            method=method,
            mode=mode,
            score=score,
            notes=(notes or "").strip(),
            inspector=actor,
            inspected_at=inspected_at or timezone.now(),
        )
        for photo in photos:
            InspectionPhoto.objects.create(inspection=inspection, image=photo)
    return inspection


def inspection_delete(*, actor, inspection: Inspection) -> None:
    _require_assessor(actor)
    with transaction.atomic():
        period = _lock(inspection.period_id)
        _require_changeable(period)
        inspection.photos.all().delete()
        inspection.delete()


# --- computing --------------------------------------------------------------------------------
@dataclass
class WorkerRow:
    worker_id: int
    grid_id: int
    street_id: int
    since: datetime


def _active_workers(window: auto.Window) -> list[WorkerRow]:
    """Active grid workers who held a post before the period ended (one grid each), and their street."""
    streets = list(GridNode.objects.filter(kind=NodeKind.STREET).values("id", "tree_id", "lft", "rght"))
    posts = (
        Post.objects.filter(
            kind=PostKind.WORKER, is_active=True, node__kind=NodeKind.GRID, created_at__lt=window.end
        )
        .values("user_id", "node_id", "created_at", "node__tree_id", "node__lft")
        .order_by("user_id", "id")
    )
    rows: dict[int, WorkerRow] = {}
    for post in posts:
        if post["user_id"] in rows:
            continue
        street = next(
            (
                s["id"]
                for s in streets
                if s["tree_id"] == post["node__tree_id"] and s["lft"] < post["node__lft"] < s["rght"]
            ),
            post["node_id"],  # a grid outside any street ranks on its own
        )
        rows[post["user_id"]] = WorkerRow(post["user_id"], post["node_id"], street, post["created_at"])
    return list(rows.values())


def grade_for(period: Period, total: Decimal) -> str:
    if total >= period.excellent_min:
        return Grade.EXCELLENT
    if total >= period.good_min:
        return Grade.GOOD
    if total >= period.pass_min:
        return Grade.PASS
    return Grade.FAIL


def stars_for(period: Period, total: Decimal) -> int:
    for stars, bound in zip((5, 4, 3, 2), period.star_thresholds):
        if total >= Decimal(str(bound)):
            return stars
    return 1


def _percent(numerator: int, denominator: int) -> Decimal:
    return to_points(Decimal(numerator) * HUNDRED / Decimal(denominator))


@dataclass
class LineValue:
    raw: Decimal | None
    numerator: int | None
    denominator: int | None
    has_data: bool


def _line_value(indicator: Indicator, row: WorkerRow, values: dict, inspections: dict) -> LineValue:
    if indicator.source == Source.INSPECTION:
        found = inspections.get((indicator.method, row.worker_id))
        if not found:
            return LineValue(None, None, None, False)
        average, count = found
        return LineValue(to_points(average), None, count, True)
    if indicator.source in auto.COUNTS:
        count = values.get(indicator.source, {}).get(row.worker_id, (0, 0))[0]
        has = indicator.source in values
        return LineValue(Decimal(count) if has else None, count if has else None, None, has)
    key = row.grid_id if indicator.source in auto.BY_GRID else row.worker_id
    numerator, denominator = values.get(indicator.source, {}).get(key, (0, 0))
    if not denominator:
        return LineValue(None, 0, 0, False)
    return LineValue(_percent(numerator, denominator), numerator, denominator, True)


def _explain(indicator: Indicator, value: LineValue, points: Decimal, rule_text: str, average: bool) -> str:
    if not value.has_data:
        if average:
            how = _("no data in the period: the average of the workers with data")
        else:
            how = _("no data in the period: full points (nobody had data)")
        return f"{how} → {points}"[:300]
    if indicator.source == Source.INSPECTION:
        what = _("average of %(n)s inspection(s) = %(raw)s") % {"n": value.denominator, "raw": value.raw}
    elif indicator.source == Source.OVERDUE:
        what = _("%(n)s overdue step(s)") % {"n": value.numerator}
    elif indicator.source == Source.WINDOW_SERVICES:
        what = _("%(n)s service(s) handled at a window") % {"n": value.numerator}
    else:
        what = f"{value.numerator}/{value.denominator} = {value.raw}%"
    return f"{what}; {rule_text} → {points}"[:300]


def _inspection_averages(period: Period, methods: set[str]) -> dict:
    """{(method or "", worker_id): (average score, count)} in one grouped query per method filter."""
    from django.db.models import Avg, Count

    result = {}
    for method in sorted(methods):
        qs = Inspection.objects.filter(period=period)
        if method:
            qs = qs.filter(method=method)
        for row in qs.values("worker_id").annotate(avg=Avg("score"), n=Count("id")).order_by():
            result[(method, row["worker_id"])] = (Decimal(str(row["avg"])), row["n"])
    return result


def _competition_ranks(items: list[tuple[int, Decimal]]) -> dict[int, int]:
    """1, 2, 2, 4 … by total, highest first."""
    ordered = sorted(items, key=lambda item: -item[1])
    ranks, previous, rank = {}, None, 0
    for position, (key, total) in enumerate(ordered, 1):
        if total != previous:
            rank, previous = position, total
        ranks[key] = rank
    return ranks


def _head_amount(
    rule: BonusRule, period: Period, results: list[tuple[str, Decimal]]
) -> tuple[Decimal, Decimal]:
    """(coefficient, amount) of a grid head from its graded workers' (grade, total)."""
    if not results:
        return Decimal(0), Decimal("0.00")
    if rule.head_mode == HeadMode.AVERAGE_TOTAL_GRADE:
        average = sum(total for _, total in results) / len(results)
        factor = rule.coefficient(grade_for(period, to_points(average)))
    else:
        factor = sum(rule.coefficient(grade) for grade, _ in results) / len(results)
    return factor.quantize(Decimal("0.0001")), to_fen(rule.head_base * factor)


def period_compute(*, actor, period: Period, now: datetime | None = None) -> Period:
    """Compute every active worker's assessment (and grid heads' bonuses) for the period.

    The previous results, if any, stay in history (is_current=False): recomputing is an
    explicit act. A fixed number of queries whatever the number of workers.
    """
    _require_assessor(actor)
    now = now or timezone.now()
    with transaction.atomic():
        period = _lock(period)
        _require_changeable(period)
        _fire(period, "compute")
        indicators = list(period.indicators.order_by("order", "id"))
        rule = BonusRule.objects.get(period=period)
        window = auto.period_window(period, now=now)
        workers = _active_workers(window)
        values = auto.automatic_values(window, {i.source for i in indicators})
        inspections = _inspection_averages(
            period, {i.method for i in indicators if i.source == Source.INSPECTION}
        )
        rule_texts = {i.pk: rules.describe(rule=i.rule, params=i.params, weight=i.weight) for i in indicators}

        # raw values, then points; a line without data scores the average of those with data
        line_values = {
            (w.worker_id, i.pk): _line_value(i, w, values, inspections) for w in workers for i in indicators
        }
        # points of the lines with data; a line without data scores the average of those
        scored: dict[tuple[int, int], Decimal] = {}
        sums: dict[int, list] = {i.pk: [Decimal(0), 0] for i in indicators}
        by_pk = {i.pk: i for i in indicators}
        for (worker_id, pk), value in line_values.items():
            if value.has_data:
                indicator = by_pk[pk]
                points = rules.points_for(
                    rule=indicator.rule, params=indicator.params, weight=indicator.weight, raw=value.raw
                )
                scored[(worker_id, pk)] = points
                sums[pk][0] += points
                sums[pk][1] += 1
        averages = {pk: to_points(total / n) if n else None for pk, (total, n) in sums.items()}

        period_seconds = (window.end - window.start).total_seconds()
        run = period.run + 1
        assessments, lines_of = [], {}
        for w in workers:
            lines, total, with_data = [], Decimal(0), 0
            for indicator in indicators:
                value = line_values[(w.worker_id, indicator.pk)]
                if value.has_data:
                    points = scored[(w.worker_id, indicator.pk)]
                    if indicator.source != Source.OVERDUE:
                        with_data += 1
                else:
                    average = averages[indicator.pk]
                    points = average if average is not None else to_points(indicator.weight)
                explanation = _explain(
                    indicator, value, points, rule_texts[indicator.pk], averages[indicator.pk] is not None
                )
                lines.append(
                    AssessmentLine(
                        indicator=indicator,
                        raw=value.raw,
                        numerator=value.numerator,
                        denominator=value.denominator,
                        points=points,
                        has_data=value.has_data,
                        explanation=explanation,
                    )
                )
                total += points
            in_post = (window.end - max(w.since, window.start)).total_seconds() / period_seconds * 100
            reasons = []
            if in_post < period.min_tenure_percent:
                reasons.append(_("in post for %(share)d%% of the period") % {"share": in_post})
            if with_data == 0:
                reasons.append(_("no indicator had data"))
            assessment = Assessment(
                period=period,
                worker_id=w.worker_id,
                grid_id=w.grid_id,
                street_id=w.street_id,
                run=run,
                is_current=True,
                total=to_points(total),
                insufficient_data=bool(reasons),
                insufficient_reason="; ".join(reasons)[:200],
                created_at=now,
            )
            if not reasons:
                assessment.grade = grade_for(period, assessment.total)
                assessment.stars = stars_for(period, assessment.total)
                assessment.bonus = to_fen(rule.worker_base * rule.coefficient(assessment.grade))
            assessments.append(assessment)
            lines_of[w.worker_id] = lines

        graded = [a for a in assessments if not a.insufficient_data]
        city_ranks = _competition_ranks([(a.worker_id, a.total) for a in graded])
        by_street = defaultdict(list)
        for a in graded:
            by_street[a.street_id].append((a.worker_id, a.total))
        street_ranks = {}
        for items in by_street.values():
            street_ranks.update(_competition_ranks(items))
        for a in graded:
            a.rank_city, a.rank_street = city_ranks[a.worker_id], street_ranks[a.worker_id]

        Assessment.objects.filter(period=period, is_current=True).update(is_current=False)
        HeadBonus.objects.filter(period=period, is_current=True).update(is_current=False)
        created = Assessment.objects.bulk_create(assessments)
        all_lines = []
        for assessment in created:
            for line in lines_of[assessment.worker_id]:
                line.assessment = assessment
                all_lines.append(line)
        AssessmentLine.objects.bulk_create(all_lines)
        HeadBonus.objects.bulk_create(_head_bonuses(period, rule, graded, run, now))

        period.run = run
        period.computed_at = now
        period.save(update_fields=["status", "run", "computed_at"])
    return period


def _head_bonuses(period, rule, graded: list[Assessment], run: int, now) -> list[HeadBonus]:
    per_grid = defaultdict(list)
    street_of = {}
    for a in graded:
        per_grid[a.grid_id].append((a.grade, a.total))
        street_of[a.grid_id] = a.street_id
    heads = (
        Post.objects.filter(
            kind=PostKind.HEAD, is_active=True, node__kind=NodeKind.GRID, node_id__in=list(per_grid)
        )
        .values_list("node_id", "user_id")
        .order_by("node_id")
    )
    rows = []
    for grid_id, user_id in heads:
        factor, amount = _head_amount(rule, period, per_grid[grid_id])
        rows.append(
            HeadBonus(
                period=period,
                head_id=user_id,
                grid_id=grid_id,
                street_id=street_of[grid_id],
                run=run,
                workers=len(per_grid[grid_id]),
                factor=factor,
                amount=amount,
                created_at=now,
            )
        )
    return rows


# --- publishing -------------------------------------------------------------------------------
def period_publish(*, actor, period: Period, now: datetime | None = None) -> Period:
    """Lock the period, write the bonus ledger, notify the street heads and grid heads."""
    _require_assessor(actor)
    now = now or timezone.now()
    with transaction.atomic():
        period = _lock(period)
        _fire(period, "publish")
        current = Assessment.objects.filter(period=period, is_current=True)
        payments = [
            BonusPayment(
                period=period,
                recipient_id=a.worker_id,
                role=Role.WORKER,
                grid_id=a.grid_id,
                street_id=a.street_id,
                amount=a.bonus,
                assessment=a,
                created_by=actor,
                created_at=now,
            )
            for a in current.filter(bonus__gt=0).order_by("id")
        ]
        payments += [
            BonusPayment(
                period=period,
                recipient_id=h.head_id,
                role=Role.HEAD,
                grid_id=h.grid_id,
                street_id=h.street_id,
                amount=h.amount,
                head_bonus=h,
                created_by=actor,
                created_at=now,
            )
            for h in HeadBonus.objects.filter(period=period, is_current=True, amount__gt=0).order_by("id")
        ]
        BonusPayment.objects.bulk_create(payments)
        _notify(period, now)
        period.published_at, period.published_by = now, actor
        period.save(update_fields=["status", "published_at", "published_by"])
    return period


def _notify(period: Period, now) -> int:
    """One notice per street head and per grid head, summarising their people's results."""
    from django.db.models import Count, Sum

    current = Assessment.objects.filter(period=period, is_current=True)
    summary = {}
    for key in ("street_id", "grid_id"):
        for row in (
            current.values(key)
            .annotate(
                n=Count("id"),
                excellent=Count("id", filter=Q(grade=Grade.EXCELLENT)),
                bonus=Sum("bonus"),
            )
            .order_by()
        ):
            summary[row[key]] = row
    heads = Post.objects.filter(
        kind=PostKind.HEAD,
        is_active=True,
        node_id__in=list(summary),
        node__kind__in=[NodeKind.STREET, NodeKind.GRID],
    ).values_list("user_id", "node_id")
    notices = [
        Notice(
            recipient_id=user_id,
            period=period,
            node_id=node_id,
            text=(
                _(
                    "%(period)s results are published: %(n)s workers, "
                    "%(excellent)s excellent, bonuses %(bonus)s yuan."
                )
                % {
                    "period": period.name,
                    "n": summary[node_id]["n"],
                    "excellent": summary[node_id]["excellent"],
                    "bonus": summary[node_id]["bonus"] or Decimal("0.00"),
                }
            )[:300],
            created_at=now,
        )
        for user_id, node_id in heads
    ]
    Notice.objects.bulk_create(notices, ignore_conflicts=True)
    return len(notices)


def notice_mark_read(*, user, ids=None) -> int:
    qs = Notice.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    return qs.update(read_at=timezone.now())


# --- appeals ----------------------------------------------------------------------------------
def appeal_deadline(period: Period) -> datetime | None:
    from datetime import timedelta

    if period.published_at is None:
        return None
    return period.published_at + timedelta(days=period.appeal_days)


def appeal_submit(*, actor, assessment: Assessment, reason: str, now: datetime | None = None) -> Appeal:
    now = now or timezone.now()
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput.field("reason", _("Say why the result is wrong."))
    with transaction.atomic():
        period = _lock(assessment.period_id)
        assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
        if assessment.worker_id != actor.pk:
            raise NotFound()
        if period.status != PeriodStatus.PUBLISHED:
            raise TransitionNotAllowed(_("Only a published result can be appealed."))
        if now > appeal_deadline(period):
            raise TransitionNotAllowed(
                _("The appeal window closed on %(date)s.") % {"date": appeal_deadline(period)}
            )
        if not assessment.is_current:
            raise TransitionNotAllowed(_("This result has been replaced; appeal the current one."))
        if Appeal.objects.filter(assessment=assessment, status=AppealStatus.PENDING).exists():
            raise TransitionNotAllowed(_("An appeal of this result is already pending."))
        return Appeal.objects.create(
            assessment=assessment, worker=actor, grid_id=assessment.grid_id, reason=reason, submitted_at=now
        )


def _decide(actor, appeal: Appeal) -> tuple[Appeal, Period]:
    _require_assessor(actor)
    appeal = Appeal.objects.select_related("assessment").get(pk=appeal.pk)
    period = _lock(appeal.assessment.period_id)
    appeal = Appeal.objects.select_for_update().select_related("assessment__grid").get(pk=appeal.pk)
    if not _covers(actor, appeal.assessment.grid):
        raise NotFound()
    if appeal.status != AppealStatus.PENDING:
        raise TransitionNotAllowed(_("This appeal has already been decided."))
    return appeal, period


def appeal_reject(*, actor, appeal: Appeal, decision: str, now: datetime | None = None) -> Appeal:
    decision = (decision or "").strip()
    if not decision:
        raise InvalidInput.field("decision", _("Give the reason for rejecting the appeal."))
    with transaction.atomic():
        appeal, _period = _decide(actor, appeal)
        appeal.status, appeal.decision = AppealStatus.REJECTED, decision
        appeal.decided_by, appeal.decided_at = actor, now or timezone.now()
        appeal.save(update_fields=["status", "decision", "decided_by", "decided_at"])
    return appeal


def appeal_accept(
    *, actor, appeal: Appeal, points: dict[str, Decimal], decision: str, now: datetime | None = None
) -> Appeal:
    """Accept with corrected points for some indicators (by code). The original result is
    kept; a corrected result replaces it, and the bonus differences (the worker's and the
    grid head's) are recorded in the ledger as correction rows."""
    now = now or timezone.now()
    decision = (decision or "").strip()
    if not decision:
        raise InvalidInput.field("decision", _("Say what was corrected and why."))
    if not points:
        raise InvalidInput.field("points", _("Give the corrected points of at least one indicator."))
    with transaction.atomic():
        appeal, period = _decide(actor, appeal)
        original = Assessment.objects.select_for_update().get(pk=appeal.assessment_id)
        if not original.is_current:
            raise TransitionNotAllowed(_("This result has already been replaced."))
        lines = list(original.lines.select_related("indicator"))
        by_code = {line.indicator.code: line for line in lines}
        unknown = set(points) - set(by_code)
        if unknown:
            raise InvalidInput.field(
                "points", _("Unknown indicator %(code)s.") % {"code": ", ".join(sorted(unknown))}
            )
        corrected_points = {}
        for code, value in points.items():
            try:
                value = to_points(Decimal(str(value)))
            except InvalidOperation:
                raise InvalidInput.field("points", _("Points are numbers.")) from None
            if not 0 <= value <= by_code[code].indicator.weight:
                raise InvalidInput.field(
                    "points",
                    _("%(name)s scores between 0 and its weight.") % {"name": by_code[code].indicator.name},
                )
            corrected_points[code] = value
        rule = BonusRule.objects.get(period=period)
        total = sum((corrected_points.get(line.indicator.code, line.points) for line in lines), Decimal(0))
        corrected = Assessment(
            period=period,
            worker_id=original.worker_id,
            grid_id=original.grid_id,
            street_id=original.street_id,
            run=original.run,
            is_current=True,
            total=to_points(total),
            corrects=original,
            created_at=now,
            insufficient_data=original.insufficient_data,
            insufficient_reason=original.insufficient_reason,
        )
        if not corrected.insufficient_data:
            corrected.grade = grade_for(period, corrected.total)
            corrected.stars = stars_for(period, corrected.total)
            corrected.bonus = to_fen(rule.worker_base * rule.coefficient(corrected.grade))
            others = Assessment.objects.filter(
                period=period, is_current=True, insufficient_data=False
            ).exclude(pk=original.pk)
            corrected.rank_city = others.filter(total__gt=corrected.total).count() + 1
            corrected.rank_street = (
                others.filter(street_id=original.street_id, total__gt=corrected.total).count() + 1
            )
        Assessment.objects.filter(pk=original.pk).update(is_current=False)
        corrected.save()
        AssessmentLine.objects.bulk_create(
            [
                AssessmentLine(
                    assessment=corrected,
                    indicator=line.indicator,
                    raw=line.raw,
                    numerator=line.numerator,
                    denominator=line.denominator,
                    has_data=line.has_data,
                    points=corrected_points.get(line.indicator.code, line.points),
                    explanation=(
                        _("corrected on appeal: %(decision)s") % {"decision": decision}
                        if line.indicator.code in corrected_points
                        else line.explanation
                    )[:300],
                )
                for line in lines
            ]
        )
        note = _("appeal %(id)s") % {"id": appeal.pk}
        _correction(
            period,
            corrected.worker_id,
            Role.WORKER,
            corrected,
            corrected.bonus - original.bonus,
            actor,
            now,
            note,
            assessment=corrected,
        )
        _recompute_head(period, rule, original.grid_id, actor, now, note)
        appeal.status, appeal.decision, appeal.corrected = AppealStatus.ACCEPTED, decision, corrected
        appeal.decided_by, appeal.decided_at = actor, now
        appeal.save(update_fields=["status", "decision", "corrected", "decided_by", "decided_at"])
    return appeal


def _correction(period, recipient_id, role, source, difference, actor, now, note, **link) -> None:
    if difference == 0:
        return
    BonusPayment.objects.create(
        period=period,
        recipient_id=recipient_id,
        role=role,
        grid_id=source.grid_id,
        street_id=source.street_id,
        kind=PaymentKind.CORRECTION,
        amount=difference,
        note=note[:200],
        created_by=actor,
        created_at=now,
        **link,
    )


def _recompute_head(period, rule, grid_id, actor, now, note) -> None:
    current = (
        HeadBonus.objects.select_for_update().filter(period=period, grid_id=grid_id, is_current=True).first()
    )
    if current is None:
        return
    results = list(
        Assessment.objects.filter(
            period=period, grid_id=grid_id, is_current=True, insufficient_data=False
        ).values_list("grade", "total")
    )
    factor, amount = _head_amount(rule, period, results)
    if amount == current.amount and factor == current.factor:
        return
    HeadBonus.objects.filter(pk=current.pk).update(is_current=False)
    replacement = HeadBonus.objects.create(
        period=period,
        head_id=current.head_id,
        grid_id=grid_id,
        street_id=current.street_id,
        run=current.run,
        workers=len(results),
        factor=factor,
        amount=amount,
        created_at=now,
    )
    _correction(
        period,
        current.head_id,
        Role.HEAD,
        replacement,
        amount - current.amount,
        actor,
        now,
        note,
        head_bonus=replacement,
    )
