"""Deadlines of a petition's steps: hours, or working days of its city's calendar
(hlgrid.workdays: China's statutory holidays and make-up days, the city's own days off).

研判 shortens the handling deadline: an urgent (紧急) or extra urgent (特急) petition is
handled within the hours its category sets for that urgency (`Category.urgent_hours`,
`critical_hours`), and never later than the ordinary limit would give.
"""

from datetime import datetime, timedelta

from hlgrid.workdays import LOCAL, add_working_days, is_working_day, warn_before
from petitions.models import LimitUnit, Urgency

__all__ = ["LOCAL", "add_working_days", "due_after", "handle_due", "is_working_day", "warn_before"]

# The rules of a petition without a category (the defaults of Category's fields).
DEFAULT_URGENCY_HOURS = {Urgency.URGENT: 24, Urgency.CRITICAL: 4}


def due_after(start: datetime, limit: int, unit: str, *, city: int | None) -> datetime:
    """`limit` hours or working days of `city`'s calendar (a CITY node's id) after `start`."""
    if unit == LimitUnit.WORKDAYS:
        return add_working_days(start, limit, city=city)
    return start + timedelta(hours=limit)


def urgency_hours(category, urgency: str) -> int | None:
    """The hours an urgency allows at most under `category`'s rules (None: ordinary)."""
    if urgency == Urgency.URGENT:
        return category.urgent_hours if category is not None else DEFAULT_URGENCY_HOURS[urgency]
    if urgency == Urgency.CRITICAL:
        return category.critical_hours if category is not None else DEFAULT_URGENCY_HOURS[urgency]
    return None


def handle_due(
    start: datetime, limit: int, unit: str, *, city: int | None, category=None, urgency: str = Urgency.NORMAL
):
    """The handling deadline from `start`: the ordinary limit, shortened by the urgency."""
    due = due_after(start, limit, unit, city=city)
    hours = urgency_hours(category, urgency)
    if hours is not None:
        due = min(due, due_after(start, hours, LimitUnit.HOURS, city=city))
    return due
