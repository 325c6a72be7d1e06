"""Deadlines of a petition's steps: hours, or working days of the one calendar
(hlgrid.workdays: China's statutory holidays and make-up days)."""

from datetime import datetime, timedelta

from hlgrid.workdays import LOCAL, add_working_days, is_working_day, warn_before
from petitions.models import LimitUnit

__all__ = ["LOCAL", "add_working_days", "due_after", "is_working_day", "warn_before"]


def due_after(start: datetime, limit: int, unit: str) -> datetime:
    if unit == LimitUnit.WORKDAYS:
        return add_working_days(start, limit)
    return start + timedelta(hours=limit)
