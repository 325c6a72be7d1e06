"""The clocks of a dispute and of the monthly 排查 report, as pure functions of dates.

- registered: graded (研判) within GRADE_HOURS;
- graded or mediating: settled or referred within a limit in working days that depends on
  the risk (a high-risk dispute has the shortest);
- agreed: the follow-up (回访) opens `follow_up_days` after signing and is due within
  FOLLOW_UP_WORKDAYS working days of opening;
- a grid's report of a month is due by the end of REPORT_DAY of that month (local time),
  "due soon" from REPORT_WARN_DAY.

Working days are those of the dispute's city (hlgrid.workdays: China's statutory holidays and
make-up working days, 调休, and the city's own days off); `city` is the CITY node's id.
"""

import datetime

from hlgrid.workdays import LOCAL, add_working_days, day_start, nth_working_day, warn_before

GRADE_HOURS = 24
MEDIATION_WORKDAYS = {"HIGH": 3, "MEDIUM": 10, "LOW": 15}
DEFAULT_FOLLOW_UP_DAYS = 30
FOLLOW_UP_WORKDAYS = 5
REPORT_DAY = 25
REPORT_WARN_DAY = 20


def grading_clock(registered_at: datetime.datetime) -> tuple[datetime.datetime, datetime.datetime]:
    due = registered_at + datetime.timedelta(hours=GRADE_HOURS)
    return due, warn_before(registered_at, due)


def mediation_clock(
    graded_at: datetime.datetime, risk: str, *, city: int | None
) -> tuple[datetime.datetime, datetime.datetime]:
    due = add_working_days(graded_at, MEDIATION_WORKDAYS[risk], city=city)
    return due, warn_before(graded_at, due)


def follow_up_dates(
    signed_on: datetime.date, days: int, *, city: int | None
) -> tuple[datetime.date, datetime.date]:
    """(the first day a follow-up may be made, the last day it is on time)."""
    opens = signed_on + datetime.timedelta(days=days)
    last = nth_working_day(opens, FOLLOW_UP_WORKDAYS, city=city)
    return opens, last


def follow_up_clock(opens: datetime.date, last: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """(due_at, warn_at) of a follow-up: yellow once it is open, red after its last day."""
    return day_start(last + datetime.timedelta(days=1)), day_start(opens)


def month_of(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def previous_month(month: datetime.date) -> datetime.date:
    return month_of(month - datetime.timedelta(days=1))


def report_due(month: datetime.date) -> datetime.datetime:
    """The moment a month's report is late: the start of the day after REPORT_DAY."""
    return day_start(month.replace(day=REPORT_DAY) + datetime.timedelta(days=1))


def report_warn(month: datetime.date) -> datetime.datetime:
    return day_start(month.replace(day=REPORT_WARN_DAY))


def last_due_month(now: datetime.datetime) -> datetime.date:
    """The latest month whose report deadline has passed at `now`."""
    month = month_of(now.astimezone(LOCAL).date())
    return month if now >= report_due(month) else previous_month(month)
