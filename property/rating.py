"""The quarterly rating of property firms (物业评星), computed into stored FirmRating rows.

For each firm supervised by the board's street, over the quarter:
- residents' satisfaction: the samples' count and average score (1–5);
- petitions against the firm: petitions in the property categories (PropertyCategory, set in
  the admin) received in the quarter in a grid where one of the firm's compounds has a
  building (a petition carries its grid, not its building, so every firm serving in that grid
  answers for it; counted once per firm), not rejected nor merged; of them the resolved ones,
  those resolved on time and those rated satisfied;
- inspections: their count and average score (0–100).

Score (0–100) = the weighted mean of the parts that have data: residents' satisfaction
(average / 5 × 100) 40 %, petitions resolved on time 20 %, petitioners satisfied 20 %,
inspections 20 %. Stars from the score: 90 → 5, 80 → 4, 70 → 3, 60 → 2, below → 1; a firm
with no data at all gets no stars. Four aggregate queries whatever the number of firms.

Residents' scores come from visits and staff today; the residents' front door may add a
survey later (it would record FirmSatisfactionSample rows the same way).
"""

import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Avg, Count, Q
from django.utils import timezone

from petitions.models import Status as PetitionStatus
from property.models import (
    FirmInspection,
    FirmRating,
    FirmSatisfactionSample,
    PropertyCategory,
    PropertyFirm,
    StarBoard,
)

WEIGHTS = {
    "residents": Decimal(40),
    "on_time": Decimal(20),
    "petitioners": Decimal(20),
    "inspections": Decimal(20),
}
STARS = [(Decimal(90), 5), (Decimal(80), 4), (Decimal(70), 3), (Decimal(60), 2)]
HUNDRED = Decimal(100)
TWO = Decimal("0.01")


def quarter_start(year: int, quarter: int) -> datetime.date:
    return datetime.date(year, 3 * (quarter - 1) + 1, 1)


def quarter_end(year: int, quarter: int) -> datetime.date:
    """The first day after the quarter."""
    return datetime.date(year + 1, 1, 1) if quarter == 4 else quarter_start(year, quarter + 1)


def quarter_of(day: datetime.date) -> tuple[int, int]:
    return day.year, (day.month - 1) // 3 + 1


def _aware(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _dec(value) -> Decimal | None:
    return None if value is None else Decimal(str(value)).quantize(TWO, rounding=ROUND_HALF_UP)


def _rate(part: int, whole: int) -> Decimal | None:
    return (Decimal(part) * HUNDRED / whole).quantize(TWO, rounding=ROUND_HALF_UP) if whole else None


def score_of(*, sample_average, on_time_rate, satisfaction_rate, inspection_average) -> Decimal | None:
    parts = {
        "residents": None if sample_average is None else sample_average * HUNDRED / 5,
        "on_time": on_time_rate,
        "petitioners": satisfaction_rate,
        "inspections": inspection_average,
    }
    present = {k: v for k, v in parts.items() if v is not None}
    if not present:
        return None
    weight = sum(WEIGHTS[k] for k in present)
    return (sum(WEIGHTS[k] * v for k, v in present.items()) / weight).quantize(TWO, rounding=ROUND_HALF_UP)


def stars_of(score: Decimal | None) -> int | None:
    if score is None:
        return None
    return next((stars for floor, stars in STARS if score >= floor), 1)


def compute(*, board: StarBoard, now: datetime.datetime) -> list[FirmRating]:
    """Replace the board's rows with freshly computed ones (the caller holds the board's lock)."""
    start, end = quarter_start(board.year, board.quarter), quarter_end(board.year, board.quarter)
    firms = PropertyFirm.objects.filter(street_id=board.street_id, is_active=True)
    firm_ids = list(firms.values_list("pk", flat=True))

    samples = {
        row["firm"]: row
        for row in FirmSatisfactionSample.objects.filter(
            firm_id__in=firm_ids, sampled_on__gte=start, sampled_on__lt=end
        )
        .order_by()
        .values("firm")
        .annotate(n=Count("id"), avg=Avg("score"))
    }
    inspections = {
        row["firm"]: row
        for row in FirmInspection.objects.filter(
            firm_id__in=firm_ids, inspected_on__gte=start, inspected_on__lt=end
        )
        .order_by()
        .values("firm")
        .annotate(n=Count("id"), avg=Avg("score"))
    }
    path = "compounds__links__building__grid__petitions"
    against = Q(
        **{
            f"{path}__category_id__in": PropertyCategory.objects.values("category_id"),
            f"{path}__received_at__gte": _aware(start),
            f"{path}__received_at__lt": _aware(end),
            f"{path}__merged_into__isnull": True,
        }
    ) & ~Q(**{f"{path}__status": PetitionStatus.REJECTED})
    petitions = {
        row["pk"]: row
        for row in PropertyFirm.objects.filter(pk__in=firm_ids)
        .order_by()
        .values("pk")
        .annotate(
            n=Count(path, distinct=True, filter=against),
            resolved=Count(
                path, distinct=True, filter=against & Q(**{f"{path}__resolved_on_time__isnull": False})
            ),
            on_time=Count(path, distinct=True, filter=against & Q(**{f"{path}__resolved_on_time": True})),
            rated=Count(path, distinct=True, filter=against & ~Q(**{f"{path}__satisfaction": ""})),
            satisfied=Count(
                path, distinct=True, filter=against & Q(**{f"{path}__satisfaction": "SATISFIED"})
            ),
        )
    }

    rows = []
    for firm_id in firm_ids:
        sample = samples.get(firm_id, {"n": 0, "avg": None})
        inspection = inspections.get(firm_id, {"n": 0, "avg": None})
        pet = petitions.get(firm_id, {"n": 0, "resolved": 0, "on_time": 0, "rated": 0, "satisfied": 0})
        sample_average = _dec(sample["avg"])
        inspection_average = _dec(inspection["avg"])
        on_time_rate = _rate(pet["on_time"], pet["resolved"])
        satisfaction_rate = _rate(pet["satisfied"], pet["rated"])
        score = score_of(
            sample_average=sample_average,
            on_time_rate=on_time_rate,
            satisfaction_rate=satisfaction_rate,
            inspection_average=inspection_average,
        )
        rows.append(
            FirmRating(
                board=board,
                firm_id=firm_id,
                year=board.year,
                quarter=board.quarter,
                samples=sample["n"],
                sample_average=sample_average,
                petitions=pet["n"],
                petitions_resolved=pet["resolved"],
                petitions_on_time=pet["on_time"],
                petitions_rated=pet["rated"],
                petitions_satisfied=pet["satisfied"],
                on_time_rate=on_time_rate,
                satisfaction_rate=satisfaction_rate,
                inspections=inspection["n"],
                inspection_average=inspection_average,
                score=score,
                stars=stars_of(score),
                computed_at=now,
            )
        )
    FirmRating.objects.filter(
        Q(board=board) | Q(firm_id__in=firm_ids, year=board.year, quarter=board.quarter)
    ).delete()
    return FirmRating.objects.bulk_create(rows)
