"""The escalation ladder: a petition that stays red climbs grid → community → street → city,
one rung per `LADDER_INTERVAL_HOURS` working hours (office hours on the working days of its
city's calendar, hlgrid.workdays, `LADDER_OFFICE_HOURS` local time).

The sweep climbs every row whose current rung began at or before `climb_cutoff(now, city=)`:
the moment that lies exactly one interval of working hours before `now` in the row's city.
One comparison per row, so the climb stays a single UPDATE per distinct cutoff (one, when the
cities' calendars agree on the last days) however many petitions are red.
"""

from datetime import datetime, time, timedelta

from django.conf import settings

from hlgrid.workdays import LOCAL, is_working_day
from petitions.models import Rung

NEXT_RUNG = {Rung.GRID: Rung.COMMUNITY, Rung.COMMUNITY: Rung.STREET, Rung.STREET: Rung.CITY}
# How many steps up the grid tree the heads of each rung sit (grid → community → street → city).
RUNG_DEPTH = {Rung.GRID: 0, Rung.COMMUNITY: 1, Rung.STREET: 2, Rung.CITY: 3}
# A year of calendar days is far more than any configured interval needs.
MAX_DAYS_BACK = 400


def interval_hours() -> int:
    return settings.LADDER_INTERVAL_HOURS


def office_hours() -> tuple[time, time]:
    start, end = settings.LADDER_OFFICE_HOURS
    return time(*start), time(*end)


def climb_cutoff(now: datetime, hours: int | None = None, *, city: int | None) -> datetime:
    """The latest moment from which `hours` working hours of `city`'s calendar have passed by
    `now`."""
    remaining = timedelta(hours=interval_hours() if hours is None else hours)
    opens, closes = office_hours()
    local = now.astimezone(LOCAL)
    day = local.date()
    for _ in range(MAX_DAYS_BACK):
        if is_working_day(day, city=city):
            start = datetime.combine(day, opens, tzinfo=LOCAL)
            end = min(datetime.combine(day, closes, tzinfo=LOCAL), local)
            if end > start:
                worked = end - start
                if worked >= remaining:
                    return end - remaining
                remaining -= worked
        day -= timedelta(days=1)
        local = datetime.combine(day, time.max, tzinfo=LOCAL)
    return datetime.combine(day, opens, tzinfo=LOCAL)


def working_hours_between(start: datetime, end: datetime, *, city: int | None) -> timedelta:
    """The office hours of `city`'s working days between `start` and `end` (zero when end <=
    start)."""
    if end <= start:
        return timedelta(0)
    opens, closes = office_hours()
    local_start, local_end = start.astimezone(LOCAL), end.astimezone(LOCAL)
    worked = timedelta(0)
    day = local_start.date()
    while day <= local_end.date():
        if is_working_day(day, city=city):
            span_start = max(datetime.combine(day, opens, tzinfo=LOCAL), local_start)
            span_end = min(datetime.combine(day, closes, tzinfo=LOCAL), local_end)
            if span_end > span_start:
                worked += span_end - span_start
        day += timedelta(days=1)
    return worked


def resumed_rung_start(
    rung_changed_at: datetime | None, *, paused_at: datetime, now: datetime, city: int | None
):
    """Where the current rung's interval stands after a pause from `paused_at` to `now`: the
    working hours it had run before the pause are kept, the pause itself does not count."""
    if rung_changed_at is None:
        return None
    ran = working_hours_between(rung_changed_at, paused_at, city=city)
    return climb_cutoff(now, ran.total_seconds() / 3600, city=city)
