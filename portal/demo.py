"""The order in which the apps add their parts to the Helong demo city.

Each app that contributes has a `demo` module with `load(ctx)` (ctx: hlgrid.demo.DemoContext);
later parts read what earlier parts put on the context, so the order follows the floors.
"""

from datetime import date
from importlib import import_module

from django.apps import apps
from django.utils import timezone

from grids import calendar
from grids.access import SYSTEM
from grids.demo import CITY_CODE
from grids.models import GridNode
from hlgrid.models import DayKind

# The portal's own part (the office's settings) comes last: `load` below.
PARTS = [
    "grids",
    "residents",
    "party",
    "petitions",
    "deliberation",
    "mediation",
    "announcements",
    "supervision",
    "evaluation",
    "property",
    "lists",
    "exchange",
    # One set-based build of the dashboards' rollups over everything loaded above, before the
    # bulletins, whose snapshots read them (the portal's calendar changes only deadlines, which
    # the rollups do not count; their refreshes after commit find the marks already right).
    "rollups",
    "bulletins",
    "portal",
]
# Yanbian Korean Autonomous Prefecture's founding day (延边朝鲜族自治州成立纪念日, 3 September)
# is a day off in the prefecture, Helong included: a local holiday the office enters itself.
PREFECTURE_DAY = (9, 3)


def demo_modules():
    for label in PARTS:
        if apps.is_installed(label):
            try:
                yield label, import_module(f"{label}.demo")
            except ModuleNotFoundError as exc:
                if exc.name != f"{label}.demo":
                    raise


def is_loaded() -> bool:
    return GridNode.objects.filter(code=CITY_CODE).exists()


def prefecture_day_enter(city) -> int:
    """州庆 (3 September, Yanbian's founding day) as a local holiday in `city`'s calendar for last
    year, this year and next, through the calendar's service; the open deadlines moved."""
    this_year = timezone.localdate().year
    moved = 0
    for year in range(this_year - 1, this_year + 2):
        day = date(year, *PREFECTURE_DAY)
        if day.weekday() < 5:
            _day, counts = calendar.calendar_day_set(
                actor=SYSTEM, city=city, day=day, kind=DayKind.HOLIDAY, name="延边州庆"
            )
            moved += sum(counts.values())
    return moved


def load(ctx) -> None:
    """The city's calendar for last year, this year and next: the statutory days plus 州庆,
    entered through the calendar's service once every other part is loaded (as an office would:
    the open deadlines it moves are moved, with an event), so the other parts' data stay the
    same as without it."""
    moved = prefecture_day_enter(ctx.data["city"])
    ctx.log(f"    working calendar: 州庆 (9-3) entered as a local holiday, {moved} open deadlines moved")
