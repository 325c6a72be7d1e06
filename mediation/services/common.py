"""What every mediation use case shares: the actor check, the row lock, the one permission
check (grids.access), the state machine's 409, the event, and the timer of the current step."""

from datetime import datetime

from django.utils.translation import gettext as _
from django_fsm import TransitionNotAllowed as FSMTransitionNotAllowed

from grids import access, cities
from grids.models import GridNode
from hlgrid.changes import node_changed
from hlgrid.errors import NotFound, TransitionNotAllowed
from hlgrid.lights import Light, light_at
from mediation import clock
from mediation.models import Case, CaseEvent, Status
from residents.selectors import RESIDENT_POST_KINDS

# A dispute names residents: it is seen and handled by the posts that see the register
# (workers, heads, officials, administrators), never by department staff or assessors.
CASE_POST_KINDS = RESIDENT_POST_KINDS


def require_actor(actor) -> None:
    """Refuse a call that names nobody: a person, or `grids.access.SYSTEM` for scripts and tasks."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        raise NotFound()


def require_covers(actor, grid: GridNode) -> None:
    require_actor(actor)
    access.must_cover(actor, grid, kinds=CASE_POST_KINDS)


def load(case: Case | int) -> Case:
    """The case, locked for the rest of the transaction (two people acting at once queue here)."""
    pk = case.pk if isinstance(case, Case) else case
    try:
        return Case.objects.select_for_update(of=("self",)).select_related("grid").get(pk=pk)
    except (Case.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def not_now(status: str) -> TransitionNotAllowed:
    return TransitionNotAllowed(
        _("This case is %(status)s: this action is not allowed now.") % {"status": Status(status).label}
    )


def fire(case: Case, name: str) -> str:
    """Run the FSM transition `name`; 409 when the current status does not allow it."""
    before = case.status
    try:
        getattr(case, name)()
    except FSMTransitionNotAllowed:
        raise not_now(before) from None
    return before


def set_clock(case: Case, due_at: datetime | None, warn_at: datetime | None, *, now: datetime) -> None:
    case.due_at, case.warn_at = due_at, warn_at
    light = light_at(due_at=due_at, warn_at=warn_at, now=now) if due_at else Light.GREEN
    if light != case.light:
        case.light, case.light_changed_at = light, now


def city_of(case: Case) -> int:
    """The id of the dispute's city, whose calendar times it."""
    return cities.city_id_of(case.grid)


def clock_for(case: Case, *, now: datetime) -> tuple[datetime | None, datetime | None]:
    """The due and warn times of the case's current step."""
    if case.status == Status.REGISTERED:
        return clock.grading_clock(case.registered_at)
    if case.status in (Status.GRADED, Status.MEDIATING):
        return clock.mediation_clock(case.graded_at or now, case.risk, city=city_of(case))
    if case.status == Status.AGREED:
        agreement = case.agreements.order_by("-id").first()
        return clock.follow_up_clock(agreement.follow_up_from, agreement.follow_up_due)
    return None, None


def event(case: Case, *, actor, action: str, before: str, note: str = "", at: datetime) -> CaseEvent:
    node_changed(case.grid_id)
    return CaseEvent.objects.create(
        case=case,
        actor=access.recorded(actor),
        action=action,
        from_status=before,
        to_status=case.status,
        note=(note or "")[:2000],
        at=at,
    )


SAVED = ["status", "due_at", "warn_at", "light", "light_changed_at"]
