"""Read queries over assessment data, scoped to the asking user, aggregated in SQL.

Who sees what:
- assessors (ASSESSOR/ADMIN posts) see every result in their subtree, in any state;
- heads and officials see the published results of their subtree;
- a worker sees its own published results, and its inspections — covert ones (暗访)
  only once the period is published.
The public star board shows published results' name, grid and stars, nothing else.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Avg, Count, DecimalField, Exists, F, OuterRef, Q, QuerySet, Subquery, Value
from django.http import Http404

from evaluation import indicators as auto
from evaluation.models import (
    GRADE_ORDER,
    Appeal,
    Assessment,
    BonusPayment,
    Grade,
    HeadBonus,
    Indicator,
    Inspection,
    InspectionPhoto,
    Mode,
    MoneySum,
    Notice,
    Period,
    PeriodStatus,
)
from evaluation.policy import ASSESSOR_KINDS, VIEWER_KINDS
from grids import access
from grids.access import scope_queryset
from grids.models import GridNode, NodeKind, PostKind

ZERO = Value(Decimal("0.00"), output_field=DecimalField(max_digits=14, decimal_places=2))


def _periods(user, city) -> QuerySet:
    """The periods of the user's cities (every city's for the public star board, `user` None),
    of `city` when given."""
    periods = Period.objects.all()
    if user is not None:
        periods = access.scope_to_cities(user, periods)
    return periods if city is None else periods.filter(city=city)


def period_list(*, user, city=None) -> QuerySet:
    return _periods(user, city).select_related("scheme", "city").order_by("-starts_on", "-id")


def period_get(*, user, pk) -> Period:
    """One period of the user's cities; another city's is absent (404)."""
    try:
        return _periods(user, None).select_related("scheme", "bonus_rule", "city").get(pk=pk)
    except (Period.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404 from None


def latest_published(*, user, city=None) -> Period | None:
    return (
        _periods(user, city)
        .filter(status=PeriodStatus.PUBLISHED)
        .select_related("city")
        .order_by("-starts_on", "-id")
        .first()
    )


def assessment_list(*, user, period: Period | None = None, current: bool = True) -> QuerySet:
    qs = Assessment.objects.all()
    if period is not None:
        qs = qs.filter(period=period)
    if current:
        qs = qs.filter(is_current=True)
    as_assessor = scope_queryset(user, qs, node_path="grid", post_kinds=ASSESSOR_KINDS).values("pk")
    as_viewer = scope_queryset(
        user, qs.filter(period__status=PeriodStatus.PUBLISHED), node_path="grid", post_kinds=VIEWER_KINDS
    ).values("pk")
    condition = Q(pk__in=as_assessor) | Q(pk__in=as_viewer)
    if user.is_authenticated:
        condition |= Q(worker_id=user.pk, period__status=PeriodStatus.PUBLISHED)
    return (
        qs.filter(condition)
        .select_related("worker", "grid", "street", "period")
        .order_by("period_id", "rank_city", "grid__code", "worker_id")
    )


def assessment_get(*, user, pk) -> Assessment:
    try:
        return (
            assessment_list(user=user, current=False)
            .select_related("corrects", "period__bonus_rule")
            .prefetch_related("lines__indicator", "appeals")
            .get(pk=pk)
        )
    except (Assessment.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def assessment_history(*, user, assessment: Assessment) -> QuerySet:
    """Every result computed for this worker in this period (recomputations, corrections)."""
    return (
        assessment_list(user=user, period=assessment.period, current=False)
        .filter(worker_id=assessment.worker_id)
        .order_by("-created_at", "-id")
    )


def inspection_list(*, user, period: Period | None = None) -> QuerySet:
    qs = Inspection.objects.all()
    if period is not None:
        qs = qs.filter(period=period)
    as_assessor = scope_queryset(user, qs, node_path="grid", post_kinds=ASSESSOR_KINDS).values("pk")
    condition = Q(pk__in=as_assessor)
    if user.is_authenticated:
        # covert inspections stay hidden from the inspected worker until publication
        condition |= Q(worker_id=user.pk) & (Q(mode=Mode.OPEN) | Q(period__status=PeriodStatus.PUBLISHED))
    return (
        qs.filter(condition)
        .select_related("worker", "grid", "inspector", "period")
        .prefetch_related("photos")
        .order_by("-inspected_at", "-id")
    )


def inspection_get(*, user, pk) -> Inspection:
    try:
        return inspection_list(user=user).get(pk=pk)
    except (Inspection.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def inspection_photo_get(*, user, pk) -> InspectionPhoto:
    """Evidence of an inspection for whoever may see the inspection (covert ones stay hidden
    from the inspected worker until publication, their photos with them)."""
    try:
        visible = inspection_list(user=user).values("pk")
        return InspectionPhoto.objects.filter(inspection__in=visible).get(pk=pk)
    except (InspectionPhoto.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def workers_to_inspect(*, user, q: str = "") -> QuerySet:
    """Active grid workers in the assessor's scope, for the inspection form; `q` finds them by
    the worker's name or login, or by the grid's name or code (an assessor types "三合" or a
    name instead of scrolling 269 names)."""
    from grids.models import Post

    posts = scope_queryset(
        user,
        Post.objects.filter(kind=PostKind.WORKER, is_active=True, node__kind=NodeKind.GRID),
        node_path="node",
    )
    q = (q or "").strip()[:40]
    if q:
        posts = posts.filter(
            Q(user__name__icontains=q)
            | Q(user__username__icontains=q)
            | Q(node__name__icontains=q)
            | Q(node__code__icontains=q)
        )
    return posts.select_related("user", "node").order_by("node__code", "user__username")


def line_evidence(*, assessment: Assessment, indicator: Indicator) -> auto.Evidence:
    period = assessment.period
    window = auto.period_window(period, now=assessment.created_at)
    return auto.evidence(
        source=indicator.source,
        window=window,
        worker_id=assessment.worker_id,
        grid_id=assessment.grid_id,
        period=period,
    )


def appeal_list(*, user) -> QuerySet:
    qs = Appeal.objects.select_related("assessment__period", "worker", "grid", "corrected", "decided_by")
    as_assessor = scope_queryset(user, qs, node_path="grid", post_kinds=ASSESSOR_KINDS).values("pk")
    condition = Q(pk__in=as_assessor)
    if user.is_authenticated:
        condition |= Q(worker_id=user.pk)
    return qs.filter(condition).order_by("-submitted_at", "-id")


def notices_for(*, user) -> QuerySet:
    return Notice.objects.filter(recipient_id=user.pk).select_related("period", "node")


# --- money ------------------------------------------------------------------------------------
def running_total(*, user) -> Decimal:
    """Everything the ledger of the user's cities has paid since the start (corrections included)."""
    payments = access.scope_to_cities(user, BonusPayment.objects.all(), path="period__city")
    return payments.aggregate(total=MoneySum("amount"))["total"]


def payment_list(*, user, period: Period | None = None) -> QuerySet:
    qs = BonusPayment.objects.all()
    if period is not None:
        qs = qs.filter(period=period)
    qs = scope_queryset(user, qs, node_path="grid", post_kinds=ASSESSOR_KINDS)
    return qs.select_related("recipient", "grid", "street", "period").order_by("created_at", "id")


@dataclass
class Preview:
    """What publishing the period will pay (or paid), in the caller's scope."""

    workers: int
    graded: int
    insufficient: int
    worker_payments: int
    worker_total: Decimal
    head_payments: int
    head_total: Decimal
    total: Decimal
    paid_before: Decimal
    by_street: list[dict]
    grades: list[dict]


def period_preview(*, user, period: Period) -> Preview:
    assessments = assessment_list(user=user, period=period).order_by()
    agg = assessments.aggregate(
        n=Count("id"),
        graded=Count("id", filter=Q(insufficient_data=False)),
        payments=Count("id", filter=Q(bonus__gt=0)),
        total=MoneySum("bonus"),
    )
    heads = scope_queryset(
        user,
        HeadBonus.objects.filter(period=period, is_current=True),
        node_path="grid",
        post_kinds=ASSESSOR_KINDS,
    )
    head_agg = heads.aggregate(n=Count("id", filter=Q(amount__gt=0)), total=MoneySum("amount"))
    paid_before = (
        BonusPayment.objects.filter(period__city=period.city_id)
        .exclude(period=period)
        .aggregate(total=MoneySum("amount"))["total"]
    )
    return Preview(
        workers=agg["n"],
        graded=agg["graded"],
        insufficient=agg["n"] - agg["graded"],
        worker_payments=agg["payments"],
        worker_total=agg["total"],
        head_payments=head_agg["n"],
        head_total=head_agg["total"],
        total=agg["total"] + head_agg["total"],
        paid_before=paid_before,
        by_street=bonus_by_street(user=user, period=period),
        grades=grade_distribution(user=user, period=period),
    )


# --- before publishing: who was never inspected, and the change against the previous period ---
def previous_period(period: Period) -> Period | None:
    """The city's period before this one that has results (published, else computed)."""
    return (
        Period.objects.filter(
            city=period.city_id,
            ends_on__lt=period.starts_on,
            status__in=[PeriodStatus.PUBLISHED, PeriodStatus.COMPUTED],
        )
        .order_by("-ends_on", "-id")
        .first()
    )


def uninspected(*, user, period: Period) -> QuerySet:
    """The assessed workers (current results, in the caller's scope) without any inspection
    record in the period: publishing would score their inspection lines on others' average."""
    inspected = Inspection.objects.filter(period=period, worker_id=OuterRef("worker_id"))
    return (
        assessment_list(user=user, period=period)
        .filter(~Exists(inspected))
        .select_related("worker", "grid")
        .order_by("street__code", "grid__code", "worker_id")
    )


@dataclass
class Headline:
    workers: int
    average: Decimal | None
    excellent: int
    bonus: Decimal

    @property
    def excellent_share(self) -> Decimal | None:
        return (
            (Decimal(100) * self.excellent / self.workers).quantize(Decimal("0.1")) if self.workers else None
        )


@dataclass
class Change:
    """This period against the previous one: the headline figures and the workers who moved most."""

    previous: Period
    now: Headline
    before: Headline
    rises: list[Assessment]
    falls: list[Assessment]

    def delta(self, name: str):
        a, b = getattr(self.now, name), getattr(self.before, name)
        return None if a is None or b is None else a - b

    @property
    def workers_delta(self):
        return self.delta("workers")

    @property
    def average_delta(self):
        value = self.delta("average")
        return None if value is None else value.quantize(Decimal("0.01"))

    @property
    def excellent_share_delta(self):
        return self.delta("excellent_share")

    @property
    def bonus_delta(self):
        return self.delta("bonus")


def _headline(qs: QuerySet) -> Headline:
    row = qs.order_by().aggregate(
        n=Count("id"),
        average=Avg("total", filter=Q(insufficient_data=False)),
        excellent=Count("id", filter=Q(grade=Grade.EXCELLENT, insufficient_data=False)),
        bonus=MoneySum("bonus"),
    )
    average = row["average"]
    return Headline(
        workers=row["n"],
        average=Decimal(average).quantize(Decimal("0.01")) if average is not None else None,
        excellent=row["excellent"],
        bonus=row["bonus"],
    )


def change_against_previous(*, user, period: Period, movers: int = 5) -> Change | None:
    """The change against the previous period in the caller's scope, in SQL: headline figures
    and the workers whose total rose or fell most (by a subquery on the previous result)."""
    previous = previous_period(period)
    if previous is None:
        return None
    current = assessment_list(user=user, period=period)
    before = assessment_list(user=user, period=previous)
    earlier = Assessment.objects.filter(period=previous, is_current=True, worker_id=OuterRef("worker_id"))
    moved = (
        current.filter(insufficient_data=False)
        .annotate(previous_total=Subquery(earlier.filter(insufficient_data=False).values("total")[:1]))
        .filter(previous_total__isnull=False)
        .annotate(change=F("total") - F("previous_total"))
        .select_related("worker", "grid")
    )
    return Change(
        previous=previous,
        now=_headline(current),
        before=_headline(before),
        rises=list(moved.filter(change__gt=0).order_by("-change", "worker_id")[:movers]),
        falls=list(moved.filter(change__lt=0).order_by("change", "worker_id")[:movers]),
    )


# --- reports ----------------------------------------------------------------------------------
def ranking(*, user, period: Period) -> list[Assessment]:
    return list(
        assessment_list(user=user, period=period).order_by(
            "insufficient_data", "rank_city", "street__code", "grid__code", "worker_id"
        )
    )


def grade_distribution(*, user, period: Period) -> list[dict]:
    qs = assessment_list(user=user, period=period).order_by()
    counts = qs.aggregate(
        total=Count("id"),
        **{grade: Count("id", filter=Q(grade=grade, insufficient_data=False)) for grade in GRADE_ORDER},
        insufficient=Count("id", filter=Q(insufficient_data=True)),
    )
    n = counts["total"]
    rows = [
        {
            "grade": grade,
            "label": Grade(grade).label,
            "count": counts[grade],
            "share": _share(counts[grade], n),
        }
        for grade in GRADE_ORDER
    ]
    rows.append(
        {
            "grade": "",
            "label": None,
            "count": counts["insufficient"],
            "share": _share(counts["insufficient"], n),
        }
    )
    return rows


def _share(part: int, whole: int) -> Decimal:
    if not whole:
        return Decimal("0.0")
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"))


def bonus_by_street(*, user, period: Period) -> list[dict]:
    """Worker and grid-head bonuses per street (the ledger once published, else the computed amounts)."""
    streets = {s.pk: s for s in GridNode.objects.filter(kind=NodeKind.STREET)}
    rows: dict[int, dict] = {}
    if period.status == PeriodStatus.PUBLISHED:
        source = (
            payment_list(user=user, period=period)
            .order_by()
            .values("street_id")
            .annotate(
                workers=MoneySum("amount", filter=Q(role="WORKER")),
                heads=MoneySum("amount", filter=Q(role="HEAD")),
            )
        )
        for row in source:
            rows[row["street_id"]] = {"workers": row["workers"], "heads": row["heads"]}
    else:
        for row in (
            assessment_list(user=user, period=period)
            .order_by()
            .values("street_id")
            .annotate(t=MoneySum("bonus"))
        ):
            rows.setdefault(row["street_id"], {"workers": ZERO_D, "heads": ZERO_D})["workers"] = row["t"]
        heads = scope_queryset(
            user,
            HeadBonus.objects.filter(period=period, is_current=True),
            node_path="grid",
            post_kinds=ASSESSOR_KINDS,
        )
        for row in heads.order_by().values("street_id").annotate(t=MoneySum("amount")):
            rows.setdefault(row["street_id"], {"workers": ZERO_D, "heads": ZERO_D})["heads"] = row["t"]
    result = []
    for street_id, row in sorted(rows.items(), key=lambda item: streets[item[0]].code):
        result.append(
            {
                "street": streets[street_id].name,
                "workers": row["workers"],
                "heads": row["heads"],
                "total": row["workers"] + row["heads"],
            }
        )
    return result


ZERO_D = Decimal("0.00")


def excellent_share_over_periods(*, user) -> list[dict]:
    """Share of 优秀 among graded workers per published period, oldest first (dashboards read this)."""
    qs = (
        assessment_list(user=user)
        .filter(period__status=PeriodStatus.PUBLISHED)
        .order_by()
        .values("period_id", "period__name", "period__starts_on")
        .annotate(
            graded=Count("id", filter=Q(insufficient_data=False)),
            excellent=Count("id", filter=Q(grade=Grade.EXCELLENT)),
            paid=MoneySum("bonus"),
        )
        .order_by("period__starts_on", "period_id")
    )
    return [
        {
            "period_id": row["period_id"],
            "period": row["period__name"],
            "starts_on": row["period__starts_on"],
            "graded": row["graded"],
            "excellent": row["excellent"],
            "share": _share(row["excellent"], row["graded"]),
            "worker_bonus": row["paid"],
        }
        for row in qs
    ]


def excellent_share(*, period: Period) -> Decimal:
    """Unscoped share of 优秀 in one period (the dashboards' figure)."""
    agg = Assessment.objects.filter(period=period, is_current=True).aggregate(
        graded=Count("id", filter=Q(insufficient_data=False)),
        excellent=Count("id", filter=Q(grade=Grade.EXCELLENT)),
    )
    return _share(agg["excellent"], agg["graded"])


def worker_trend(*, user, worker_id: int) -> list[Assessment]:
    return list(
        assessment_list(user=user).filter(worker_id=worker_id).order_by("period__starts_on", "period_id")
    )


# --- the public star board --------------------------------------------------------------------
def star_cities() -> list:
    """The cities that have published a period, for the public board's choice (only when more
    than one has)."""
    found = list(
        GridNode.objects.filter(
            pk__in=Period.objects.filter(status=PeriodStatus.PUBLISHED).values("city_id")
        ).order_by("code")
    )
    return found if len(found) > 1 else []


def star_board(*, period: Period) -> QuerySet:
    """Published results only: name, grid, stars — nothing else personal."""
    if period.status != PeriodStatus.PUBLISHED:
        return Assessment.objects.none()
    return (
        Assessment.objects.filter(period=period, is_current=True, stars__isnull=False)
        .select_related("worker", "grid")
        .order_by("-stars", "grid__code", "worker__name", "worker_id")
        .only("stars", "worker__name", "worker__username", "grid__name", "grid__code")
    )
