"""The office's working calendar: load a year from the statutory calendar, add or remove a
day off or a make-up working day, preview which open deadlines a change moves, apply it.

Only those who may configure the city (grids.access.may_configure: an administrator, a
city-level official, a superuser) change it; every official may read it. A change and the
deadlines it moves (every source of hlgrid.deadlines) are written in one transaction, which
first bumps the calendar's version (the row lock that serialises writers), so every
process's cached calendar (hlgrid.workdays) is rebuilt.
"""

from datetime import date

from django.db import transaction
from django.utils.translation import gettext as _

from grids import access
from hlgrid import deadlines, inputs, workdays
from hlgrid.errors import InvalidInput, TransitionNotAllowed
from hlgrid.models import CalendarDay, CalendarYear, DayKind

FIRST_YEAR, LAST_YEAR = 2000, 2100
NAME_MAX = 64


def check_year(year, *, field: str = "year") -> int:
    try:
        year = int(year)
    except (TypeError, ValueError):
        raise InvalidInput.field(field, _("Enter a year.")) from None
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise InvalidInput.field(
            field, _("Enter a year from %(first)d to %(last)d.") % {"first": FIRST_YEAR, "last": LAST_YEAR}
        )
    return year


def _check_day(day) -> date:
    if not isinstance(day, date):
        raise InvalidInput.field("date", _("Enter a valid date."))
    check_year(day.year, field="date")
    return day


def _check_change(day: date, kind: str, name: str) -> tuple[str, str]:
    if kind not in DayKind.values:
        raise InvalidInput.field("kind", _("Choose a day off or a working day."))
    name = inputs.required("name", name)
    if len(name) > NAME_MAX:
        raise InvalidInput.field("name", _("At most %(n)d characters.") % {"n": NAME_MAX})
    weekend = day.weekday() >= 5
    if kind == DayKind.HOLIDAY and weekend:
        raise InvalidInput.field(
            "date", _("A Saturday or a Sunday is a day off already; to cancel a make-up day, remove it.")
        )
    if kind == DayKind.WORKDAY and not weekend:
        raise InvalidInput.field(
            "date", _("A weekday is a working day already; to cancel a day off, remove it.")
        )
    return kind, name


def calendar_year(year: int) -> list[dict]:
    """The exceptions of a year as the calendar has them, by date: the office's rows once the
    year is loaded (`statutory` tells those copied from the package), else the package's."""
    if workdays.current().is_loaded(year):
        rows = CalendarDay.objects.filter(date__year=year).order_by("date")
        days = [(row.date, row.kind, row.name, row.statutory) for row in rows]
    else:
        days = [
            (day, kind, name, True) for day, (kind, name) in sorted(workdays.statutory_year(year).items())
        ]
    return [
        {"date": day, "kind": kind, "kind_label": DayKind(kind).label, "name": name, "statutory": statutory}
        for day, kind, name, statutory in days
    ]


def _planned(year: int, day: date, change: tuple[str, str] | None) -> dict[date, tuple[str, str]]:
    """The year's exceptions after the change (`None` removes the day)."""
    calendar = workdays.current()
    days = dict(calendar.year(year))
    if change is None:
        days.pop(day, None)
    else:
        days[day] = change
    return days


def _validated(day, kind: str | None, name: str) -> tuple[date, tuple[str, str] | None]:
    day = _check_day(day)
    if kind is None:
        if day not in workdays.current().year(day.year):
            raise InvalidInput.field("date", _("This day is not in the calendar's exceptions."))
        return day, None
    return day, _check_change(day, kind, name)


def calendar_change_preview(*, actor, day, kind: str | None, name: str = "") -> list[deadlines.Effect]:
    """What setting `day` to `kind` (or removing it, `kind=None`) would move; changes nothing."""
    access.require_may_configure(actor)
    day, change = _validated(day, kind, name)
    old = workdays.current()
    new = old.changed(day.year, _planned(day.year, day, change))
    return deadlines.preview_all(old=old, new=new)


def _ensure_loaded(*, actor, year: int, statutory: dict) -> None:
    if CalendarYear.objects.filter(year=year).exists():
        return
    CalendarYear.objects.create(year=year, loaded_by=access.recorded(actor))
    CalendarDay.objects.bulk_create(
        [
            CalendarDay(
                date=day, kind=kind, name=name[:NAME_MAX], statutory=True, created_by=access.recorded(actor)
            )
            for day, (kind, name) in sorted(statutory.items())
        ]
    )


def calendar_year_load(*, actor, year) -> CalendarYear:
    """Copy a year of the statutory calendar (the `holidays` package) into the office's own,
    to edit it. Nothing moves: the calendar is the same until a day is changed."""
    access.require_may_configure(actor)
    year = check_year(year)
    try:
        with transaction.atomic():
            workdays.bump_version()
            if CalendarYear.objects.filter(year=year).exists():
                raise TransitionNotAllowed(_("The calendar of %(year)d is loaded already.") % {"year": year})
            _ensure_loaded(actor=actor, year=year, statutory=workdays.statutory_year(year))
    finally:
        workdays.forget()
    return CalendarYear.objects.get(year=year)


def _apply(*, actor, day: date, change: tuple[str, str] | None) -> dict[str, int]:
    try:
        with transaction.atomic():
            workdays.bump_version()  # the first write: later writers wait for this one
            old = workdays.current()
            year = day.year
            days = _planned(year, day, change)
            new = old.changed(year, days)
            _ensure_loaded(actor=actor, year=year, statutory=old.year(year))
            if change is None:
                CalendarDay.objects.filter(date=day).delete()
            else:
                CalendarDay.objects.update_or_create(
                    date=day,
                    defaults={
                        "kind": change[0],
                        "name": change[1],
                        "statutory": False,
                        "created_by": access.recorded(actor),
                    },
                )
            moved = deadlines.apply_all(actor=actor, old=old, new=new)
            workdays.forget()
    except Exception:
        workdays.forget()
        raise
    return moved


def calendar_day_set(*, actor, day, kind: str, name: str) -> tuple[CalendarDay, dict[str, int]]:
    """Make `day` a day off (a local holiday) or a working day (调休); the open deadlines the
    change moves are moved in the same transaction. Returns the row and the counts moved."""
    access.require_may_configure(actor)
    day, change = _validated(day, kind, name)
    moved = _apply(actor=actor, day=day, change=change)
    return CalendarDay.objects.get(date=day), moved


def calendar_day_remove(*, actor, day) -> dict[str, int]:
    """Remove an exception (a holiday becomes a working weekday, a make-up day a weekend day)."""
    access.require_may_configure(actor)
    day, change = _validated(day, None, "")
    return _apply(actor=actor, day=day, change=change)
