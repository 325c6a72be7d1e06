"""A change of the working calendar moves the deadlines of petitions being handled.

Only the handling step is counted in working days (a category's `handle_unit`; a petition
without a category gets the default limit, also in working days); verifying, classifying
and the callback are counted in hours and days and never move. A paused petition keeps the
time it had left and gets its due time on resume. The deadline keeps its count of working
days from the step's start (hlgrid.workdays.reschedule), its warning the last quarter. A
petition judged urgent at verification has its handling deadline in hours and never moves.

Registered as the "petitions" source of hlgrid.deadlines (PetitionsConfig.ready).
"""

from datetime import datetime

from django.db import transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from hlgrid.deadlines import Move
from hlgrid.lights import Light, light_at
from hlgrid.workdays import Calendar, day_start, end_of_day, reschedule, warn_before
from petitions.models import LimitUnit, Petition, Status, Step, Urgency
from petitions.services.common import event, require_actor, save


def _candidates(old: Calendar, new: Calendar, city) -> QuerySet | None:
    changed = old.differences(new)
    if not changed:
        return None
    return (
        Petition.objects.filter(
            grid__tree_id=city.tree_id,  # the city's petitions: its calendar times no other's
            status=Status.HANDLING,
            step=Step.HANDLE,
            due_at__gte=day_start(changed[0]),
            step_started_at__lt=end_of_day(changed[-1]),
        )
        .filter(Q(category__isnull=True) | Q(category__handle_unit=LimitUnit.WORKDAYS))
        # An urgent or extra urgent deadline is counted in hours (研判): it never moves.
        .filter(urgency=Urgency.NORMAL)
        .order_by("due_at", "pk")
    )


def _moves(old: Calendar, new: Calendar, city, *, lock: bool = False):
    queryset = _candidates(old, new, city)
    if queryset is None:
        return
    if lock:
        queryset = queryset.select_for_update(of=("self",))
    for petition in queryset.select_related("category"):
        after = reschedule(petition.step_started_at, petition.due_at, old=old, new=new)
        if after != petition.due_at:
            yield petition, after


def petitions_rescheduled_preview(
    *, old: Calendar, new: Calendar, city, sample: int
) -> tuple[int, list[Move]]:
    """How many of `city`'s petitions being handled would get another due time, and the first
    `sample`."""
    count, moves = 0, []
    for petition, after in _moves(old, new, city):
        count += 1
        if len(moves) < sample:
            moves.append(
                Move(
                    label=petition.tracking_code,
                    url=reverse("petitions:detail", args=[petition.pk]),
                    before=petition.due_at,
                    after=after,
                )
            )
    return count, moves


def petitions_reschedule(*, actor, old: Calendar, new: Calendar, city, now: datetime | None = None) -> int:
    """Move the due times of `city`'s petitions being handled to its new calendar (called by
    the calendar's service, inside its transaction, with the actor who changed the calendar)."""
    require_actor(actor)
    now = now or timezone.now()
    moved = 0
    with transaction.atomic():
        for petition, after in list(_moves(old, new, city, lock=True)):
            before = petition.due_at
            if petition.handle_due_at == before:
                petition.handle_due_at = after
            petition.due_at = after
            petition.warn_at = warn_before(petition.step_started_at, after)
            petition.light = light_at(due_at=after, warn_at=petition.warn_at, stored=Light.GREEN, now=now)
            petition.light_changed_at = now
            save(petition, ["due_at", "warn_at", "handle_due_at", "light", "light_changed_at"])
            note = _("The working calendar changed: due %(before)s, now %(after)s.") % {
                "before": timezone.localtime(before).strftime("%Y-%m-%d %H:%M"),
                "after": timezone.localtime(after).strftime("%Y-%m-%d %H:%M"),
            }
            event(petition, actor=actor, action="reschedule", before=petition.status, note=note, at=now)
            moved += 1
    return moved
