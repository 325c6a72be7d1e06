"""Working days for resolution deadlines: China's statutory holidays and make-up working days
(调休), from the `holidays` library's China calendar, the same calendar as petitions' clocks
(petitions.timers, which this floor may not import)."""

import functools
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import holidays
from django.conf import settings

LOCAL = ZoneInfo(settings.TIME_ZONE)


@functools.lru_cache(maxsize=32)
def _calendar(year: int) -> holidays.HolidayBase:
    return holidays.China(years=range(year - 1, year + 3))


def is_working_day(day: date) -> bool:
    return _calendar(day.year).is_working_day(day)


def add_working_days(start: datetime, days: int) -> datetime:
    """The same local clock time on the `days`-th working day after the start's date."""
    local = start.astimezone(LOCAL)
    day = _calendar(local.year).get_nth_working_day(local.date(), days)
    return datetime.combine(day, local.timetz().replace(tzinfo=None), tzinfo=LOCAL)


def warn_before(start: datetime, due: datetime) -> datetime:
    """The warning starts with the last quarter of the time given, as for petitions."""
    return due - (due - start) / 4


def end_of_day(day: date) -> datetime:
    return datetime.combine(day + timedelta(days=1), datetime.min.time(), tzinfo=LOCAL)
