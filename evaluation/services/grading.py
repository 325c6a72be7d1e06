"""Pure rules shared by computing, appeals and the demo: grade, stars and ranks from totals."""

from decimal import Decimal

from evaluation.models import Grade, Period


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


def competition_ranks(items: list[tuple[int, Decimal]]) -> dict[int, int]:
    """1, 2, 2, 4 … by total, highest first."""
    ordered = sorted(items, key=lambda item: -item[1])
    ranks, previous, rank = {}, None, 0
    for position, (key, total) in enumerate(ordered, 1):
        if total != previous:
            rank, previous = position, total
        ranks[key] = rank
    return ranks
