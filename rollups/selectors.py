"""Sums of the rollups over a node's subtree: a join of GridDay on the grid tree (the MPTT
columns tree_id/lft/rght, one index range), for a range of local days. Each function is one
query whatever the number of petitions: the rows read are grids × days × categories."""

import datetime
import functools
import operator
from collections import Counter

from django.db.models import F, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth

from grids.models import GridNode
from grids.subtree import in_subtree
from rollups.models import MEASURES, GridDay


def _rows(node: GridNode, first_day: datetime.date | None, last_day: datetime.date | None) -> QuerySet:
    rows = GridDay.objects.filter(in_subtree(node, "grid")).order_by()
    if first_day is not None:
        rows = rows.filter(day__gte=first_day)
    if last_day is not None:
        rows = rows.filter(day__lte=last_day)
    return rows


def _sums(measures) -> dict:
    return {m: Sum(m) for m in measures}


def _counter(row: dict, measures) -> Counter:
    return Counter({m: row[m] or 0 for m in measures})


def subtree_totals(
    *, node: GridNode, first_day: datetime.date, last_day: datetime.date, measures=MEASURES
) -> Counter:
    """Each measure summed over the node's subtree and the days [first_day, last_day]."""
    return _counter(_rows(node, first_day, last_day).aggregate(**_sums(measures)), measures)


def child_totals(
    *, node: GridNode, children: list[GridNode], first_day, last_day, measures=MEASURES
) -> dict[int, Counter]:
    """Each measure summed per child of `node` (children given with their lft/rght): the
    sums per grid in one grouped query, folded onto the child whose range holds the grid."""
    out = {child.pk: Counter() for child in children}
    ranges = sorted((child.lft, child.rght, child.pk) for child in children)
    rows = _rows(node, first_day, last_day).values("grid_id", lft=F("grid__lft")).annotate(**_sums(measures))
    for row in rows:
        for lft, rght, pk in ranges:
            if lft <= row["lft"] <= rght:
                out[pk].update(_counter(row, measures))
                break
    return out


def _any_of(measures) -> Q:
    """Rows where one of the measures is not 0 (leaves out, e.g., the visits' rows)."""
    return functools.reduce(operator.or_, (Q(**{f"{m}__gt": 0}) for m in measures))


def by_day_and_category(*, node: GridNode, first_day, last_day, measures) -> list[dict]:
    """Rows {day, category_id, <measure>: n} of the subtree (categories summed over grids)."""
    return list(
        _rows(node, first_day, last_day)
        .filter(_any_of(measures))
        .values("day", "category_id")
        .annotate(**_sums(measures))
    )


def by_month_and_category(*, node: GridNode, measures) -> list[dict]:
    """Rows {month (a date, day 1), category_id, <measure>: n} of the subtree, all time."""
    return list(
        _rows(node, None, None)
        .filter(_any_of(measures))
        .annotate(month=TruncMonth("day"))
        .values("month", "category_id")
        .annotate(**_sums(measures))
    )
