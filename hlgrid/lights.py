"""The one light rule: GREEN, YELLOW after the warning time, RED after the deadline.

A light is never trusted from storage alone: it is a pure function of the stored
deadline, the stored warning time and the clock, in Python for one object and as a SQL
CASE for querysets (so pages filter and sort red first without a Python loop). Two kinds
of deadline use it:

- a moment (a petition's step, a department's check-in): RED from `due_at` on;
- a day (a key person's next visit): the visit may happen any time on the due day, so
  RED only from the day after; YELLOW from `warn_from`.
"""

import datetime

from django.db import models
from django.db.models import Case, CharField, F, IntegerField, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Light(models.TextChoices):
    GREEN = "GREEN", _("Green")
    YELLOW = "YELLOW", _("Yellow")
    RED = "RED", _("Red")


# Sort order everywhere: red first.
RANK = {Light.RED: 0, Light.YELLOW: 1, Light.GREEN: 2}


def today() -> datetime.date:
    """Today in the project's time zone (Asia/Shanghai): a visit at 23:30 local counts that day."""
    return timezone.localdate()


# --- a moment ---------------------------------------------------------------------------------


def light_at(
    *,
    due_at: datetime.datetime | None,
    warn_at: datetime.datetime | None,
    now: datetime.datetime,
    stored: str = "",
) -> str:
    """The light of a deadline at a moment; with no running clock, the stored light."""
    if due_at is None:
        return stored or Light.GREEN
    if now >= due_at:
        return Light.RED
    if warn_at is not None and now >= warn_at:
        return Light.YELLOW
    return Light.GREEN


def light_at_expression(now: datetime.datetime, prefix: str = "") -> Case:
    """`light_at` as SQL over the `due_at`, `warn_at` and stored `light` columns (after `prefix`)."""
    return Case(
        When(**{f"{prefix}due_at__isnull": True}, then=F(f"{prefix}light")),
        When(**{f"{prefix}due_at__lte": now}, then=Value(Light.RED)),
        When(**{f"{prefix}warn_at__lte": now}, then=Value(Light.YELLOW)),
        default=Value(Light.GREEN),
        output_field=CharField(),
    )


# --- a day ------------------------------------------------------------------------------------


def light_on(*, due_on: datetime.date, warn_from: datetime.date, on: datetime.date | None = None) -> str:
    """The light of a deadline day on a given day (today by default)."""
    on = on or today()
    if on > due_on:
        return Light.RED
    if on >= warn_from:
        return Light.YELLOW
    return Light.GREEN


def light_on_expression(
    on: datetime.date | None = None, *, due: str = "next_visit_due", warn: str = "warn_from"
) -> Case:
    """`light_on` as SQL over the `due` and `warn` date columns."""
    on = on or today()
    return Case(
        When(**{f"{due}__lt": on}, then=Value(Light.RED)),
        When(**{f"{warn}__lte": on}, then=Value(Light.YELLOW)),
        default=Value(Light.GREEN),
        output_field=CharField(),
    )


def rank_expression(field: str) -> Case:
    """The sort rank (red first) of a light column or annotation."""
    return Case(
        When(**{field: Light.RED}, then=Value(RANK[Light.RED])),
        When(**{field: Light.YELLOW}, then=Value(RANK[Light.YELLOW])),
        default=Value(RANK[Light.GREEN]),
        output_field=IntegerField(),
    )
