"""Key people's visit clock: when the next visit is due, and the light of each membership.

The light itself is the ground floor's day rule (`hlgrid.lights.light_on`): GREEN, YELLOW
in the last quarter of the group's visit interval, RED from the day after the due day.
What is the residents' own is where that quarter starts, and the annotation that pages,
the API and the dashboards sort by (red first, in SQL).
"""

import datetime

from django.db.models import QuerySet

from hlgrid import lights


def due_dates(*, visited_on: datetime.date, interval_days: int) -> tuple[datetime.date, datetime.date]:
    """(next_visit_due, warn_from) after a visit on `visited_on`.

    The last quarter of the interval starts at ceil(3/4 of it): for 7 days the day before the
    due date, for 30 days seven days before it.
    """
    due = visited_on + datetime.timedelta(days=interval_days)
    return due, due - datetime.timedelta(days=interval_days // 4)


def with_light(queryset: QuerySet, on: datetime.date | None = None) -> QuerySet:
    """Annotate `light` and `light_rank` (red first) on a KeyMembership queryset, as of `on`."""
    return queryset.annotate(light=lights.light_on_expression(on)).annotate(
        light_rank=lights.rank_expression("light")
    )
