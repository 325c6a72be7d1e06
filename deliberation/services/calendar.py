"""A change of the working calendar moves the deadlines of resolutions in progress (set in
working days when the resolution was recorded; the start is found from the warning, the
last quarter of the time). Registered as the "deliberation" source of hlgrid.deadlines."""

from datetime import datetime

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from deliberation import policy
from deliberation.models import Resolution, ResolutionStatus
from hlgrid.deadlines import Move
from hlgrid.lights import light_at
from hlgrid.workdays import LOCAL, Calendar, day_start, reschedule, warn_before


def _moves(old: Calendar, new: Calendar, city, *, lock: bool = False):
    changed = old.differences(new)
    if not changed:
        return
    # The city's resolutions: its calendar times no other's.
    queryset = Resolution.objects.filter(
        node__tree_id=city.tree_id, status=ResolutionStatus.OPEN, due_at__gte=day_start(changed[0])
    )
    if lock:
        queryset = queryset.select_for_update()
    for resolution in queryset.order_by("due_at", "pk"):
        start = resolution.due_at - (resolution.due_at - resolution.warn_at) * 4
        if start.astimezone(LOCAL).date() > changed[-1]:
            continue
        after = reschedule(start, resolution.due_at, old=old, new=new)
        if after != resolution.due_at:
            yield resolution, start, after


def resolutions_rescheduled_preview(
    *, old: Calendar, new: Calendar, city, sample: int
) -> tuple[int, list[Move]]:
    count, moves = 0, []
    for resolution, _start, after in _moves(old, new, city):
        count += 1
        if len(moves) < sample:
            url = reverse("deliberation:resolution", args=[resolution.pk])
            moves.append(Move(label=str(resolution), url=url, before=resolution.due_at, after=after))
    return count, moves


def resolutions_reschedule(*, actor, old: Calendar, new: Calendar, city, now: datetime | None = None) -> int:
    """Move the deadlines of resolutions in progress (called by the calendar's service)."""
    policy.require_actor(actor)
    now = now or timezone.now()
    moved = 0
    with transaction.atomic():
        for resolution, start, after in list(_moves(old, new, city, lock=True)):
            resolution.due_at = after
            resolution.warn_at = warn_before(start, after)
            resolution.light = light_at(due_at=after, warn_at=resolution.warn_at, now=now)
            resolution.light_changed_at = now
            resolution.save(update_fields=["due_at", "warn_at", "light", "light_changed_at"])
            moved += 1
    return moved
