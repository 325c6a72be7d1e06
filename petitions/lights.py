"""The light as a pure function of the stored times and the clock, in Python and in SQL."""

from datetime import datetime

from django.db.models import Case, CharField, F, IntegerField, Value, When

from petitions.models import Light


def compute_light(*, due_at: datetime | None, warn_at: datetime | None, stored: str, now: datetime) -> str:
    """RED after the due time, YELLOW after the warn time, GREEN before; no clock: the stored light."""
    if due_at is None:
        return stored or Light.GREEN
    if now >= due_at:
        return Light.RED
    if warn_at is not None and now >= warn_at:
        return Light.YELLOW
    return Light.GREEN


def light_expression(now: datetime, prefix: str = "") -> Case:
    """The same rule as compute_light, as a SQL CASE for annotations, filters and ordering."""
    return Case(
        When(**{f"{prefix}due_at__isnull": True}, then=F(f"{prefix}light")),
        When(**{f"{prefix}due_at__lte": now}, then=Value(Light.RED)),
        When(**{f"{prefix}warn_at__lte": now}, then=Value(Light.YELLOW)),
        default=Value(Light.GREEN),
        output_field=CharField(),
    )


LIGHT_RANK = Case(
    When(current_light=Light.RED, then=Value(0)),
    When(current_light=Light.YELLOW, then=Value(1)),
    default=Value(2),
    output_field=IntegerField(),
)
