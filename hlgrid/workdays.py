"""Working days: China's statutory holidays and make-up working days, the one calendar of
every clock (petitions' steps, dispute mediation, deliberation's resolutions).

The `holidays` library's China calendar knows both the statutory days off and the weekend
days that are worked instead (调休, `weekend_workdays`); `is_working_day` combines them.
Its weekend_workdays set is filled year by year as years are loaded, so the calendar used
here always has the year before and after the date loaded.
"""

import functools
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays
from django.conf import settings

LOCAL = ZoneInfo(settings.TIME_ZONE)


@functools.lru_cache(maxsize=32)
def _calendar(year: int) -> holidays.HolidayBase:
    return holidays.China(years=range(year - 1, year + 3))


def is_working_day(day: date) -> bool:
    return _calendar(day.year).is_working_day(day)


def nth_working_day(day: date, n: int) -> date:
    """The `n`-th working day after `day` (not counting `day` itself)."""
    return _calendar(day.year).get_nth_working_day(day, n)


def add_working_days(start: datetime, days: int) -> datetime:
    """The same local clock time on the `days`-th working day after the start's date.

    A request received on Friday 26 September 2025 with 3 working days is due on
    Tuesday 30 September: Sunday the 28th is a make-up working day, and 1–8 October
    are the National Day holiday.
    """
    local = start.astimezone(LOCAL)
    day = nth_working_day(local.date(), days)
    return datetime.combine(day, local.timetz().replace(tzinfo=None), tzinfo=LOCAL)


def warn_before(start: datetime, due: datetime) -> datetime:
    """The warning starts with the last quarter of the step's time."""
    return due - (due - start) / 4


def day_start(day: date) -> datetime:
    """Local midnight at the start of `day`."""
    return datetime.combine(day, time.min, tzinfo=LOCAL)


def end_of_day(day: date) -> datetime:
    """Local midnight at the end of `day` (the start of the next)."""
    return day_start(day + timedelta(days=1))
