"""Key people's lights: GREEN, YELLOW in the last quarter of the visit interval, RED when overdue.

A pure function of the stored dates and today's date, in Python for one membership and as
an SQL expression for querysets (so pages sort red first without a Python loop).
"""

import datetime

from django.db.models import Case, IntegerField, Value, When
from django.utils import timezone

from residents.models import Light

# Sort order: red first.
RANK = {Light.RED: 0, Light.YELLOW: 1, Light.GREEN: 2}


def today() -> datetime.date:
    """Today in the project's time zone (Asia/Shanghai): a visit at 23:30 local counts that day."""
    return timezone.localdate()


def due_dates(*, visited_on: datetime.date, interval_days: int) -> tuple[datetime.date, datetime.date]:
    """(next_visit_due, warn_from) after a visit on `visited_on`.

    The last quarter of the interval starts at ceil(3/4 of it): for 7 days the day before the
    due date, for 30 days seven days before it.
    """
    due = visited_on + datetime.timedelta(days=interval_days)
    return due, due - datetime.timedelta(days=interval_days // 4)


def light(*, next_visit_due: datetime.date, warn_from: datetime.date, on: datetime.date | None = None) -> str:
    on = on or today()
    if on > next_visit_due:
        return Light.RED
    if on >= warn_from:
        return Light.YELLOW
    return Light.GREEN


def light_expression(on: datetime.date | None = None) -> Case:
    on = on or today()
    return Case(
        When(next_visit_due__lt=on, then=Value(Light.RED)),
        When(warn_from__lte=on, then=Value(Light.YELLOW)),
        default=Value(Light.GREEN),
    )


def rank_expression(on: datetime.date | None = None) -> Case:
    on = on or today()
    return Case(
        When(next_visit_due__lt=on, then=Value(RANK[Light.RED])),
        When(warn_from__lte=on, then=Value(RANK[Light.YELLOW])),
        default=Value(RANK[Light.GREEN]),
        output_field=IntegerField(),
    )


def with_light(queryset, on: datetime.date | None = None):
    """Annotate `light` and `light_rank` on a KeyMembership queryset."""
    return queryset.annotate(light=light_expression(on), light_rank=rank_expression(on))
