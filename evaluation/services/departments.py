"""Departments under the same light: the streets' quarterly ratings (评价权), the city's
weights, and the published department assessment (league and ratings combined).

A rating is given by the street's own heads and officials (evaluation.policy), only for a
department that worked in the street in that quarter (any case in the street's league),
and can be changed until the city's department assessment for the period is published.
Publishing locks the period row (the same lock as the workers' use cases), computes the
city's league once, averages each department's ratings, weighs both and stores the ranked
rows: a second publication of the same period and city answers 409.
"""

from datetime import datetime
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Avg, Count
from django.utils import timezone
from django.utils.translation import gettext as _

from evaluation import departments
from evaluation.indicators import period_window
from evaluation.models import (
    DepartmentAssessment,
    DepartmentBoard,
    DepartmentRating,
    DepartmentWeights,
    Notice,
    Period,
    PeriodKind,
    PeriodStatus,
    to_points,
)
from evaluation.policy import require_assessor, require_street_rater
from evaluation.services.periods import lock_period
from grids import access
from grids.models import Department, GridNode, NodeKind, Post, PostKind
from hlgrid import inputs
from hlgrid.errors import InvalidInput, TransitionNotAllowed

FIGURE_KEYS = (
    "received",
    "returned",
    "resolved",
    "on_time",
    "rework",
    "rated",
    "satisfied",
    "overdue",
    "checkins",
    "checkins_on_time",
)


def city_of(node: GridNode) -> GridNode:
    return node if node.parent_id is None else node.get_root()


def require_rateable_period(period: Period) -> None:
    if period.kind != PeriodKind.QUARTER:
        raise InvalidInput.field("period", _("Departments are rated per quarter."))
    if period.status == PeriodStatus.DRAFT:
        raise InvalidInput.field("period", _("The quarter has not started yet."))


def board_published(period: Period, city: GridNode) -> bool:
    return DepartmentBoard.objects.filter(period=period, city=city).exists()


def department_rating_save(
    *,
    actor,
    street: GridNode,
    department: Department,
    period: Period,
    score,
    comments: str = "",
    now: datetime | None = None,
) -> DepartmentRating:
    """Rate (or re-rate) a department that worked in the street during the quarter."""
    require_street_rater(actor, street)
    require_rateable_period(period)
    score = inputs.decimal("score", score, minimum=Decimal(0))
    if score > 100:
        raise InvalidInput.field("score", _("Give a score from 0 to 100."))
    comments = (comments or "").strip()
    if score < 60 and not comments:
        raise InvalidInput.field("comments", _("Explain a score below 60."))
    now = now or timezone.now()
    with transaction.atomic():
        period = lock_period(period)
        if board_published(period, city_of(street)):
            raise TransitionNotAllowed(_("The department assessment of this quarter is published."))
        worked = {
            row.department_id
            for row in departments.league_for_window(node=street, window=period_window(period, now=now))
        }
        if department.pk not in worked:
            raise InvalidInput.field(
                "department", _("This department did not work in the street this quarter.")
            )
        rating, _created = DepartmentRating.objects.update_or_create(
            street=street,
            department=department,
            period=period,
            defaults={
                "score": to_points(score),
                "comments": comments,
                "rated_by": access.recorded(actor),
                "rated_at": now,
            },
        )
    return rating


def department_weights_set(
    *, actor, city: GridNode, league_weight: int, rating_weight: int
) -> DepartmentWeights:
    """The city's weights of the league and of the streets' ratings (configuration rights)."""
    access.require_may_configure(actor)
    if city.kind != NodeKind.CITY:
        raise InvalidInput.field("city", _("Weights are set for a city."))
    for name, value in (("league_weight", league_weight), ("rating_weight", rating_weight)):
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 100:
            raise InvalidInput.field(name, _("Give a whole percentage from 0 to 100."))
    if league_weight + rating_weight != 100:
        raise InvalidInput.field("rating_weight", _("The two weights must add up to 100."))
    weights, _created = DepartmentWeights.objects.update_or_create(
        city=city,
        defaults={
            "league_weight": league_weight,
            "rating_weight": rating_weight,
            "updated_by": access.recorded(actor),
            "updated_at": timezone.now(),
        },
    )
    return weights


def weights_for(city: GridNode) -> tuple[int, int]:
    found = DepartmentWeights.objects.filter(city=city).first()
    return (found.league_weight, found.rating_weight) if found else (70, 30)


def combined(league_score: Decimal, rating: Decimal | None, weights: tuple[int, int]) -> Decimal:
    """The weighted total; a department no street rated is judged on the league alone."""
    if rating is None:
        return to_points(league_score)
    league_weight, rating_weight = weights
    return to_points((league_score * league_weight + rating * rating_weight) / 100)


def department_board_publish(
    *, actor, period: Period, city: GridNode, now: datetime | None = None
) -> DepartmentBoard:
    """Publish the city's department assessment for a quarter: league and ratings combined."""
    require_assessor(actor, period.city)
    access.must_cover(actor, city)
    require_rateable_period(period)
    if city.kind != NodeKind.CITY:
        raise InvalidInput.field("city", _("The department assessment is published for a city."))
    now = now or timezone.now()
    with transaction.atomic():
        period = lock_period(period)
        if board_published(period, city):
            raise TransitionNotAllowed(_("The department assessment of this quarter is already published."))
        weights = weights_for(city)
        league = departments.league_for_window(node=city, window=period_window(period, now=now))
        ratings = {
            row["department_id"]: row
            for row in DepartmentRating.objects.filter(period=period, street__tree_id=city.tree_id)
            .values("department_id")
            .annotate(avg=Avg("score"), n=Count("id"))
            .order_by()
        }
        try:
            board = DepartmentBoard.objects.create(
                period=period,
                city=city,
                league_weight=weights[0],
                rating_weight=weights[1],
                published_at=now,
                published_by=access.recorded(actor),
            )
        except IntegrityError:
            raise TransitionNotAllowed(
                _("The department assessment of this quarter is already published.")
            ) from None
        rows = []
        for row in league:
            rated = ratings.get(row.department_id)
            rating = to_points(rated["avg"]) if rated else None
            rows.append(
                DepartmentAssessment(
                    board=board,
                    department_id=row.department_id,
                    league_score=row.score,
                    rating_score=rating,
                    ratings=rated["n"] if rated else 0,
                    total=combined(row.score, rating, weights),
                    rank=0,
                    figures={key: getattr(row, key) for key in FIGURE_KEYS},
                )
            )
        rows.sort(key=lambda r: (-r.total, r.department_id))
        for rank, row in enumerate(rows, start=1):
            row.rank = rank
        DepartmentAssessment.objects.bulk_create(rows)
        _notify_departments(board, rows, now)
    return board


def _notify_departments(board: DepartmentBoard, rows: list[DepartmentAssessment], now) -> None:
    """Each department's staff get one notice with their rank and total (an in-app row)."""
    by_department = {row.department_id: row for row in rows}
    staff = Post.objects.filter(
        kind=PostKind.DEPARTMENT, is_active=True, department_id__in=list(by_department)
    ).values_list("user_id", "department_id")
    Notice.objects.bulk_create(
        [
            Notice(
                recipient_id=user_id,
                period=board.period,
                node=board.city,
                text=(
                    _(
                        "%(period)s department assessment is published: "
                        "rank %(rank)s of %(n)s, total %(total)s."
                    )
                    % {
                        "period": board.period.name,
                        "rank": by_department[department_id].rank,
                        "n": len(rows),
                        "total": by_department[department_id].total,
                    }
                )[:300],
                created_at=now,
            )
            for user_id, department_id in staff
        ],
        ignore_conflicts=True,
    )
