"""A change of the working calendar moves the mediation deadlines of open disputes.

Only the mediation step (graded or mediating: settled or referred within a limit in working
days) is counted in working days; grading runs in hours, and a follow-up's window was fixed
when the agreement was signed. The deadline keeps its count of working days from the step's
start (hlgrid.workdays.reschedule), found from the warning (the last quarter of the step).

Registered as the "mediation" source of hlgrid.deadlines (MediationConfig.ready).
"""

from datetime import datetime

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from hlgrid.deadlines import Move
from hlgrid.workdays import LOCAL, Calendar, day_start, reschedule, warn_before
from mediation.models import Case, Status
from mediation.services.common import SAVED, event, require_actor, set_clock


def _start(case: Case) -> datetime:
    return case.due_at - (case.due_at - case.warn_at) * 4


def _moves(old: Calendar, new: Calendar, city, *, lock: bool = False):
    changed = old.differences(new)
    if not changed:
        return
    queryset = Case.objects.filter(
        grid__tree_id=city.tree_id,  # the city's disputes: its calendar times no other's
        status__in=[Status.GRADED, Status.MEDIATING],
        due_at__gte=day_start(changed[0]),
        warn_at__isnull=False,
    ).order_by("due_at", "pk")
    if lock:
        queryset = queryset.select_for_update()
    for case in queryset:
        start = _start(case)
        if start.astimezone(LOCAL).date() > changed[-1]:
            continue
        after = reschedule(start, case.due_at, old=old, new=new)
        if after != case.due_at:
            yield case, start, after


def cases_rescheduled_preview(*, old: Calendar, new: Calendar, city, sample: int) -> tuple[int, list[Move]]:
    count, moves = 0, []
    for case, _start_at, after in _moves(old, new, city):
        count += 1
        if len(moves) < sample:
            label = _("Dispute %(id)d") % {"id": case.pk}
            moves.append(
                Move(
                    label=label,
                    url=reverse("mediation:detail", args=[case.pk]),
                    before=case.due_at,
                    after=after,
                )
            )
    return count, moves


def cases_reschedule(*, actor, old: Calendar, new: Calendar, city, now: datetime | None = None) -> int:
    """Move the mediation deadlines to the new calendar (called by the calendar's service)."""
    require_actor(actor)
    now = now or timezone.now()
    moved = 0
    with transaction.atomic():
        for case, start, after in list(_moves(old, new, city, lock=True)):
            before = case.due_at
            set_clock(case, after, warn_before(start, after), now=now)
            case.save(update_fields=SAVED)
            note = _("The working calendar changed: due %(before)s, now %(after)s.") % {
                "before": timezone.localtime(before).strftime("%Y-%m-%d %H:%M"),
                "after": timezone.localtime(after).strftime("%Y-%m-%d %H:%M"),
            }
            event(case, actor=actor, action="reschedule", before=case.status, note=note, at=now)
            moved += 1
    return moved
