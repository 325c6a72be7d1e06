"""Working days: the calendars of every clock (petitions' steps, dispute mediation,
deliberation's resolutions, supervision orders, the escalation ladder, duty rotas).

A day is worked unless it is a Saturday or a Sunday, with the exceptions of the calendar:
days off on weekdays (statutory holidays, a local holiday such as Yanbian's 州庆) and worked
weekend days (make-up working days, 调休). Each city keeps its own calendar (a province's
cities have their own local holidays): for each year the exceptions come from the city's
stored year once it has been loaded (grids.CalendarYear / CalendarDay, edited on
/settings/calendar/<year>/), and from the `holidays` package's China calendar (its statutory
days off and its `weekend_workdays`) for a year the city has not loaded. Every function takes
the city (a CITY node's id) of the work it times; `None` is the statutory calendar alone (work
of no city).

The ground floor does not read the grids app: grids registers the store of the calendars
(`register_store`, in its AppConfig.ready), a function that returns one city's stored years.

A city's calendar is built once per process and kept in memory (`current(city)`): the hot
path — `is_working_day`, `nth_working_day`, `add_working_days` — runs no query. Every change
bumps the city's TreeLock row ("calendar:<city id>", `bump_version`); a process compares its
versions with those rows (one query for every city) at most every RECHECK_SECONDS, so one
city's change rebuilds only that city's calendar, and the process that made the change
forgets its copy at once.
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
    """Weekends plus exceptions: the stored years' own, the package's for the others (one
    city's: `current(city)`)."""

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


# --- the process's calendars ------------------------------------------------------------------

_lock = threading.Lock()
_cached: dict = {"calendars": {}, "versions": {}, "checked": 0.0}
_store: dict = {"load": None}
# Work of no city follows the statutory calendar alone (it has no stored years to reload).
_statutory = Calendar({})


def register_store(load) -> None:
    """`load(city_id)` -> {year: {date: (kind, name)}}: a city's stored years (grids.calendar)."""
    _store["load"] = load


def version_name(city: int) -> str:
    return f"{VERSION_NAME}:{city}"


def _stored_versions() -> dict[str, int]:
    from hlgrid.models import TreeLock

    return dict(TreeLock.objects.filter(name__startswith=f"{VERSION_NAME}:").values_list("name", "version"))


def _load(city: int) -> Calendar:
    return Calendar(_store["load"](city) if _store["load"] is not None else {})


def current(city: int | None) -> Calendar:
    """The calendar of `city` (a CITY node's id; None: the statutory calendar) in this process,
    rebuilt when another process has changed it."""
    if city is None:
        return _statutory
    now = clock.monotonic()
    with _lock:
        if now - _cached["checked"] < RECHECK_SECONDS and city in _cached["calendars"]:
            return _cached["calendars"][city]
    versions = _stored_versions()
    with _lock:
        calendars, known = _cached["calendars"], _cached["versions"]
        for name in [c for c in calendars if known.get(c) != versions.get(version_name(c), 0)]:
            calendars.pop(name, None)
        if city not in calendars:
            calendars[city] = _load(city)
            known[city] = versions.get(version_name(city), 0)
        _cached["checked"] = now
        return calendars[city]


def forget(city: int | None = None) -> None:
    """Drop this process's copy of `city`'s calendar (every city's when None): after a change
    here, a rolled-back change or a database replaced underneath the process (tests restoring a
    snapshot)."""
    with _lock:
        if city is None:
            _cached["calendars"].clear()
            _cached["versions"].clear()
            _cached["checked"] = 0.0
        else:
            _cached["calendars"].pop(city, None)
            _cached["versions"].pop(city, None)


def bump_version(city: int) -> None:
    """Tell every process that `city`'s calendar changed (inside the writer's transaction; the
    UPDATE is the row lock that serialises the city's writers)."""
    from django.db import transaction
    from django.db.models import F

    from hlgrid.models import TreeLock

    name = version_name(city)
    if not TreeLock.objects.filter(name=name).update(version=F("version") + 1):
        TreeLock.objects.get_or_create(name=name)
        TreeLock.objects.filter(name=name).update(version=F("version") + 1)
    forget(city)
    # A thread of this process may have cached the calendar again before the commit.
    transaction.on_commit(lambda: forget(city))


# --- the timers' functions ----------------------------------------------------------------------


def is_working_day(day: date, *, city: int | None) -> bool:
    return current(city).is_working_day(day)


def nth_working_day(day: date, n: int, *, city: int | None) -> date:
    """The `n`-th working day after `day` (not counting `day` itself) in `city`'s calendar."""
    return current(city).nth_working_day(day, n)


def add_working_days(start: datetime, days: int, *, city: int | None) -> datetime:
    """The same local clock time on the `days`-th working day after the start's date.

    A request received on Friday 26 September 2025 with 3 working days is due on
    Tuesday 30 September: Sunday the 28th is a make-up working day, and 1–8 October
    are the National Day holiday.
    """
    return current(city).add_working_days(start, days)


def warn_before(start: datetime, due: datetime) -> datetime:
    """The warning starts with the last quarter of the step's time."""
    return due - (due - start) / 4


def day_start(day: date) -> datetime:
    """Local midnight at the start of `day`."""
    return datetime.combine(day, time.min, tzinfo=LOCAL)


def end_of_day(day: date) -> datetime:
    """Local midnight at the end of `day` (the start of the next)."""
    return day_start(day + timedelta(days=1))
