"""The reporting window of a dashboard: this week, month, quarter or a custom range.

Windows are whole local days (Asia/Shanghai) turned into aware datetimes:
[start, end) with `end` the midnight after the last day.
"""

import datetime
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from hlgrid.errors import InvalidInput

CHOICES = ("week", "month", "quarter", "custom")


@dataclass(frozen=True)
class Window:
    kind: str
    first_day: datetime.date
    last_day: datetime.date

    @property
    def start(self) -> datetime.datetime:
        return timezone.make_aware(datetime.datetime.combine(self.first_day, datetime.time.min))

    @property
    def end(self) -> datetime.datetime:
        next_day = self.last_day + datetime.timedelta(days=1)
        return timezone.make_aware(datetime.datetime.combine(next_day, datetime.time.min))

    @property
    def key(self) -> str:
        return f"{self.first_day.isoformat()}_{self.last_day.isoformat()}"


def _parse_day(value: str, field: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except (TypeError, ValueError):
        raise InvalidInput.field(field, _("Enter a date as YYYY-MM-DD.")) from None


def window_from(params, *, today: datetime.date | None = None) -> Window:
    """Read ?period=week|month|quarter or ?start=..&end=.. (default: the current month)."""
    today = today or timezone.localdate()
    start, end = params.get("start"), params.get("end")
    kind = params.get("period") or ("custom" if start or end else "month")
    if kind not in CHOICES:
        raise InvalidInput.field("period", _("Choose week, month, quarter or custom."))
    if kind == "week":
        first = today - datetime.timedelta(days=today.weekday())
        return Window(kind, first, first + datetime.timedelta(days=6))
    if kind == "month":
        first = today.replace(day=1)
        following = (first + datetime.timedelta(days=32)).replace(day=1)
        return Window(kind, first, following - datetime.timedelta(days=1))
    if kind == "quarter":
        first = today.replace(month=(today.month - 1) // 3 * 3 + 1, day=1)
        following = (first + datetime.timedelta(days=95)).replace(day=1)
        return Window(kind, first, following - datetime.timedelta(days=1))
    if not start or not end:
        raise InvalidInput.field(
            "start" if not start else "end", _("A custom period needs a start and an end.")
        )
    first, last = _parse_day(start, "start"), _parse_day(end, "end")
    if last < first:
        raise InvalidInput.field("end", _("The end must not be before the start."))
    if (last - first).days > 3 * 366:
        raise InvalidInput.field("end", _("A period may span at most three years."))
    return Window("custom", first, last)
