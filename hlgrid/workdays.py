"""Working days: the one calendar of every clock (petitions' steps, dispute mediation,
deliberation's resolutions).

A day is worked unless it is a Saturday or a Sunday, with the exceptions of the calendar:
days off on weekdays (statutory holidays, a local holiday such as Yanbian's 州庆) and worked
weekend days (make-up working days, 调休). For each year the exceptions come from the office's
own calendar (`CalendarYear` / `CalendarDay`, edited on /settings/calendar/<year>/) once that
year has been loaded, and from the `holidays` package's China calendar (its statutory days off
and its `weekend_workdays`) for a year that has not.

The calendar is built once per process and kept in memory (`current()`): the hot path —
`is_working_day`, `nth_working_day`, `add_working_days` — runs no query. Every change bumps the
TreeLock row "calendar" (`bump_version`); a process compares its version with that row at most
every RECHECK_SECONDS, and the process that made the change forgets its copy at once.
"""

import functools
import threading
import time as clock
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays
from django.conf import settings

LOCAL = ZoneInfo(settings.TIME_ZONE)
VERSION_NAME = "calendar"
RECHECK_SECONDS = 5.0
HOLIDAY, WORKDAY = "HOLIDAY", "WORKDAY"


@functools.lru_cache(maxsize=64)
def statutory_year(year: int) -> dict[date, tuple[str, str]]:
    """The package's exceptions of one year: {date: (kind, name)} (names in Chinese)."""
    calendar = holidays.China(years=range(year - 1, year + 2), language="zh_CN")
    days = {day: (HOLIDAY, str(name)) for day, name in calendar.items() if day.year == year}
    for day in calendar.weekend_workdays:
        if day.year == year:
            days[day] = (WORKDAY, "调休上班")
    return days


class Calendar:
    """Weekends plus exceptions: the stored years' own, the package's for the others."""

    def __init__(self, stored: dict[int, dict[date, tuple[str, str]]]):
        self._stored = stored

    def year(self, year: int) -> dict[date, tuple[str, str]]:
        if year in self._stored:
            return self._stored[year]
        return statutory_year(year)

    def is_loaded(self, year: int) -> bool:
        return year in self._stored

    def is_working_day(self, day: date) -> bool:
        exception = self.year(day.year).get(day)
        if exception is not None:
            return exception[0] == WORKDAY
        return day.weekday() < 5

    def nth_working_day(self, day: date, n: int) -> date:
        """The `n`-th working day after `day` (before it for a negative `n`), not counting `day`."""
        step = timedelta(days=1 if n >= 0 else -1)
        remaining = abs(n)
        while remaining:
            day += step
            if self.is_working_day(day):
                remaining -= 1
        return day

    def working_days_between(self, start: date, end: date) -> int:
        """How many working days lie after `start` up to and including `end`."""
        count, day = 0, start
        while day < end:
            day += timedelta(days=1)
            count += self.is_working_day(day)
        return count

    def add_working_days(self, start: datetime, days: int) -> datetime:
        local = start.astimezone(LOCAL)
        day = self.nth_working_day(local.date(), days)
        return datetime.combine(day, local.timetz().replace(tzinfo=None), tzinfo=LOCAL)

    def changed(self, year: int, days: dict[date, tuple[str, str]]) -> "Calendar":
        """This calendar with `year`'s exceptions replaced by `days` (a preview of a change)."""
        return Calendar({**self._stored, year: dict(days)})

    def differences(self, other: "Calendar") -> list[date]:
        """The days that are worked in one calendar and not in the other (a change is always
        made to a stored year, so only those are compared)."""
        found = []
        for year in set(self._stored) | set(other._stored):
            for day in set(self.year(year)) | set(other.year(year)):
                if self.is_working_day(day) != other.is_working_day(day):
                    found.append(day)
        return sorted(found)


def reschedule(start: datetime, due: datetime, *, old: Calendar, new: Calendar) -> datetime:
    """A deadline that `old` set some working days after `start`, on `new`: the same number of
    working days after the same start, at the deadline's own clock time. A deadline that does
    not fall on a working day of `old` was not counted in working days and stays."""
    start_day = start.astimezone(LOCAL).date()
    local_due = due.astimezone(LOCAL)
    if not old.is_working_day(local_due.date()) or local_due.date() <= start_day:
        return due
    count = old.working_days_between(start_day, local_due.date())
    day = new.nth_working_day(start_day, count)
    return datetime.combine(day, local_due.timetz().replace(tzinfo=None), tzinfo=LOCAL)


# --- the process's calendar -------------------------------------------------------------------

_lock = threading.Lock()
_cached: dict = {"calendar": None, "version": None, "checked": 0.0}


def _stored_version() -> int:
    from hlgrid.models import TreeLock

    return TreeLock.objects.filter(name=VERSION_NAME).values_list("version", flat=True).first() or 0


def _load() -> Calendar:
    from hlgrid.models import CalendarDay, CalendarYear

    stored: dict[int, dict[date, tuple[str, str]]] = {
        year: {} for year in CalendarYear.objects.values_list("year", flat=True)
    }
    for day, kind, name in CalendarDay.objects.values_list("date", "kind", "name"):
        if day.year in stored:
            stored[day.year][day] = (kind, name)
    return Calendar(stored)


def current() -> Calendar:
    """The calendar of this process, rebuilt when another process has changed it."""
    now = clock.monotonic()
    with _lock:
        if _cached["calendar"] is not None and now - _cached["checked"] < RECHECK_SECONDS:
            return _cached["calendar"]
    version = _stored_version()
    with _lock:
        if _cached["calendar"] is None or _cached["version"] != version:
            _cached["calendar"] = _load()
            _cached["version"] = version
        _cached["checked"] = now
        return _cached["calendar"]


def forget() -> None:
    """Drop this process's calendar: after a change here, a rolled-back change or a database
    replaced underneath the process (tests restoring a snapshot)."""
    with _lock:
        _cached["calendar"] = None
        _cached["version"] = None
        _cached["checked"] = 0.0


def bump_version() -> None:
    """Tell every process that the calendar changed (inside the writer's transaction)."""
    from django.db import transaction
    from django.db.models import F

    from hlgrid.models import TreeLock

    if not TreeLock.objects.filter(name=VERSION_NAME).update(version=F("version") + 1):
        TreeLock.objects.get_or_create(name=VERSION_NAME)
        TreeLock.objects.filter(name=VERSION_NAME).update(version=F("version") + 1)
    forget()
    # A thread of this process may have cached the calendar again before the commit.
    transaction.on_commit(forget)


# --- the timers' functions ----------------------------------------------------------------------


def is_working_day(day: date) -> bool:
    return current().is_working_day(day)


def nth_working_day(day: date, n: int) -> date:
    """The `n`-th working day after `day` (not counting `day` itself)."""
    return current().nth_working_day(day, n)


def add_working_days(start: datetime, days: int) -> datetime:
    """The same local clock time on the `days`-th working day after the start's date.

    A request received on Friday 26 September 2025 with 3 working days is due on
    Tuesday 30 September: Sunday the 28th is a make-up working day, and 1–8 October
    are the National Day holiday.
    """
    return current().add_working_days(start, days)


def warn_before(start: datetime, due: datetime) -> datetime:
    """The warning starts with the last quarter of the step's time."""
    return due - (due - start) / 4


def day_start(day: date) -> datetime:
    """Local midnight at the start of `day`."""
    return datetime.combine(day, time.min, tzinfo=LOCAL)


def end_of_day(day: date) -> datetime:
    """Local midnight at the end of `day` (the start of the next)."""
    return day_start(day + timedelta(days=1))
