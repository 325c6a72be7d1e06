"""A city's working calendar: load a year from the statutory calendar, add or remove a day
off or a make-up working day, preview which open deadlines a change moves, apply it.

Each city keeps its own (a province's cities have their own local holidays). Only those who
may configure the city (grids.access.may_configure: an administrator, a city-level official,
a superuser) change it; every official of the city may read it; another city's people get 404.
A change and the city's deadlines it moves (every source of hlgrid.deadlines, given the city)
are written in one transaction, which first bumps the city's calendar version (the row lock
that serialises the city's writers), so every process rebuilds that city's cached calendar
(hlgrid.workdays) and no other.
"""

from datetime import date

from django.db import transaction
from django.utils.translation import gettext as _

from grids import access, cities
from grids.models import CalendarDay, CalendarYear, GridNode
from hlgrid import deadlines, inputs, workdays
from hlgrid.errors import InvalidInput, NotFound, TransitionNotAllowed
from hlgrid.models import DayKind

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


def stored_years(city_id: int) -> dict[int, dict[date, tuple[str, str]]]:
    """The store of hlgrid.workdays (registered in GridsConfig.ready): a city's loaded years and
    their exceptions, two queries."""
    stored: dict[int, dict[date, tuple[str, str]]] = {
        year: {} for year in CalendarYear.objects.filter(city_id=city_id).values_list("year", flat=True)
    }
    for day, kind, name in CalendarDay.objects.filter(city_id=city_id).values_list("date", "kind", "name"):
        if day.year in stored:
            stored[day.year][day] = (kind, name)
    return stored


def calendar_city(user, city=None) -> GridNode:
    """The city whose calendar `user` reads: `city` (a node or an id) when it is one of the
    user's, else 404; without one, the first of the user's cities (the one city of most)."""
    visible = cities.visible_cities(user)
    if not access.may_view_configuration(user):
        raise NotFound()
    if city is not None:
        city_id = city.pk if isinstance(city, GridNode) else city
        found = visible.filter(pk=city_id).first() if str(city_id).isdigit() else None
        if found is None or not access.may_view_configuration(user, found):
            raise NotFound()
        return found
    found = visible.first()
    if found is None:
        raise NotFound()
    return found


def calendar_year(year: int, *, city: GridNode) -> list[dict]:
    """The exceptions of a year as the city's calendar has them, by date: the city's rows once
    the year is loaded (`statutory` tells those copied from the package), else the package's."""
    if workdays.current(city.pk).is_loaded(year):
        rows = CalendarDay.objects.filter(city=city, date__year=year).order_by("date")
        days = [(row.date, row.kind, row.name, row.statutory) for row in rows]
    else:
        days = [
            (day, kind, name, True) for day, (kind, name) in sorted(workdays.statutory_year(year).items())
        ]
    return [
        {"date": day, "kind": kind, "kind_label": DayKind(kind).label, "name": name, "statutory": statutory}
        for day, kind, name, statutory in days
    ]


def _planned(
    city: GridNode, year: int, day: date, change: tuple[str, str] | None
) -> dict[date, tuple[str, str]]:
    """The year's exceptions after the change (`None` removes the day)."""
    calendar = workdays.current(city.pk)
    days = dict(calendar.year(year))
    if change is None:
        days.pop(day, None)
    else:
        days[day] = change
    return days


def _validated(city: GridNode, day, kind: str | None, name: str) -> tuple[date, tuple[str, str] | None]:
    day = _check_day(day)
    if kind is None:
        if day not in workdays.current(city.pk).year(day.year):
            raise InvalidInput.field("date", _("This day is not in the calendar's exceptions."))
        return day, None
    return day, _check_change(day, kind, name)


def _require_city(city) -> GridNode:
    if not isinstance(city, GridNode) or city.parent_id is not None:
        raise InvalidInput.field("city", _("Choose a city."))
    return city


def calendar_change_preview(
    *, actor, city: GridNode, day, kind: str | None, name: str = ""
) -> list[deadlines.Effect]:
    """What setting `day` of `city`'s calendar to `kind` (or removing it, `kind=None`) would
    move; changes nothing."""
    access.require_may_configure(actor, _require_city(city))
    day, change = _validated(city, day, kind, name)
    old = workdays.current(city.pk)
    new = old.changed(day.year, _planned(city, day.year, day, change))
    return deadlines.preview_all(old=old, new=new, city=city)


def _ensure_loaded(*, actor, city: GridNode, year: int, statutory: dict) -> None:
    if CalendarYear.objects.filter(city=city, year=year).exists():
        return
    CalendarYear.objects.create(city=city, year=year, loaded_by=access.recorded(actor))
    CalendarDay.objects.bulk_create(
        [
            CalendarDay(
                city=city,
                date=day,
                kind=kind,
                name=name[:NAME_MAX],
                statutory=True,
                created_by=access.recorded(actor),
            )
            for day, (kind, name) in sorted(statutory.items())
        ]
    )


def calendar_year_load(*, actor, city: GridNode, year) -> CalendarYear:
    """Copy a year of the statutory calendar (the `holidays` package) into the city's own, to
    edit it. Nothing moves: the calendar is the same until a day is changed."""
    access.require_may_configure(actor, _require_city(city))
    year = check_year(year)
    try:
        with transaction.atomic():
            workdays.bump_version(city.pk)
            if CalendarYear.objects.filter(city=city, year=year).exists():
                raise TransitionNotAllowed(_("The calendar of %(year)d is loaded already.") % {"year": year})
            _ensure_loaded(actor=actor, city=city, year=year, statutory=workdays.statutory_year(year))
    finally:
        workdays.forget(city.pk)
    return CalendarYear.objects.get(city=city, year=year)


def _apply(*, actor, city: GridNode, day: date, change: tuple[str, str] | None) -> dict[str, int]:
    try:
        with transaction.atomic():
            workdays.bump_version(city.pk)  # the first write: the city's later writers wait for it
            old = workdays.current(city.pk)
            year = day.year
            days = _planned(city, year, day, change)
            new = old.changed(year, days)
            _ensure_loaded(actor=actor, city=city, year=year, statutory=old.year(year))
            if change is None:
                CalendarDay.objects.filter(city=city, date=day).delete()
            else:
                CalendarDay.objects.update_or_create(
                    city=city,
                    date=day,
                    defaults={
                        "kind": change[0],
                        "name": change[1],
                        "statutory": False,
                        "created_by": access.recorded(actor),
                    },
                )
            moved = deadlines.apply_all(actor=actor, old=old, new=new, city=city)
            workdays.forget(city.pk)
    except Exception:
        workdays.forget(city.pk)
        raise
    return moved


def calendar_day_set(
    *, actor, city: GridNode, day, kind: str, name: str
) -> tuple[CalendarDay, dict[str, int]]:
    """Make `day` a day off (a local holiday) or a working day (调休) in `city`'s calendar; the
    city's open deadlines the change moves are moved in the same transaction. Returns the row
    and the counts moved."""
    access.require_may_configure(actor, _require_city(city))
    day, change = _validated(city, day, kind, name)
    moved = _apply(actor=actor, city=city, day=day, change=change)
    return CalendarDay.objects.get(city=city, date=day), moved


def calendar_day_remove(*, actor, city: GridNode, day) -> dict[str, int]:
    """Remove an exception (a holiday becomes a working weekday, a make-up day a weekend day)."""
    access.require_may_configure(actor, _require_city(city))
    day, change = _validated(city, day, None, "")
    return _apply(actor=actor, city=city, day=day, change=change)
